// The snippets, expanded with their default text (the first choice of a choice), tokenize with
// no invalid token: a snippet inserts flow text that the grammar, and so the language, knows.
//   node check_snippets.js GRAMMAR SNIPPETS_JSON
'use strict';
const fs = require('fs');
const { loadGrammar, tokenize } = require('./tokenize');

function expand(body) {
  return body.join('\n')
    .replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\d+/g, '');
}

async function main([grammarPath, snippetsPath]) {
  const grammar = await loadGrammar(grammarPath);
  const snippets = JSON.parse(fs.readFileSync(snippetsPath, 'utf8'));
  let problems = 0;
  for (const [name, snippet] of Object.entries(snippets)) {
    const text = expand(snippet.body);
    if (/\$\{|\$\d/.test(text)) {
      console.log(`snippet ${name}: a placeholder is left after expansion: ${text}`);
      problems++;
    }
    for (const t of tokenize(grammar, text).filter((t) => t.scopes.some((s) => s.startsWith('invalid.')))) {
      console.log(`snippet ${name}, line ${t.line}: ${JSON.stringify(t.text)} is ${t.scopes[t.scopes.length - 1]}`);
      problems++;
    }
  }
  console.log(problems > 0 ? `snippets: ${problems} problem(s)` : `snippets: all ${Object.keys(snippets).length} tokenize cleanly`);
  return problems > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then((status) => { process.exitCode = status; },
                                   (error) => { console.error(error); process.exitCode = 1; });
