// Drafts a vscode-tmgrammar-test file for a flow: the flow's lines, each followed by one `^^^`
// assertion per token (its innermost scope; a string or a regexp as one range; brackets and
// commas left out). The draft asserts what the grammar does today, so read it against the
// language (docs/language.md) before committing it: it is a starting point, not a proof.
//   node annotate.js GRAMMAR FLOW DESCRIPTION > test/NAME.flow.test
'use strict';
const fs = require('fs');
const { loadGrammar, tokenize } = require('./tokenize');

const SKIP = /^punctuation\.(separator\.comma|section|separator\.key-value)/;

function scopeOf(token) {
  const scopes = token.scopes.slice(1);
  for (const whole of ['string.quoted.double.triage', 'string.regexp.triage', 'comment.line.number-sign.triage']) {
    if (scopes.includes(whole) && !scopes.some((s) => s.startsWith('storage.modifier'))) return whole;
  }
  return scopes[scopes.length - 1];
}

function assertion(start, end, scope) {
  const width = end - start;
  return start === 0 ? `# <${'-'.repeat(width)} ${scope}` : `#${' '.repeat(start - 1)}${'^'.repeat(width)} ${scope}`;
}

async function main([grammarPath, flowPath, description]) {
  const grammar = await loadGrammar(grammarPath);
  const text = fs.readFileSync(flowPath, 'utf8').replace(/\n$/, '');
  const tokens = tokenize(grammar, text);
  const out = [`# SYNTAX TEST "source.triage" "${description}"`];
  text.split('\n').forEach((line, index) => {
    out.push(line);
    const groups = [];
    for (const t of tokens.filter((t) => t.line === index + 1)) {
      if (t.text.trim() === '' || t.scopes.length < 2) continue;
      const scope = scopeOf(t);
      if (SKIP.test(scope)) continue;
      const last = groups[groups.length - 1];
      if (last && last.scope === scope && last.end === t.start &&
          /^(string|comment)/.test(scope)) {
        last.end = t.end;
      } else {
        groups.push({ start: t.start, end: t.end, scope });
      }
    }
    for (const g of groups) {
      // A comment is asserted by its '#' alone: its words are no token of the language.
      if (g.scope.startsWith('comment')) g.end = g.start + 1;
      out.push(assertion(g.start, g.end, g.scope));
    }
  });
  process.stdout.write(out.join('\n') + '\n');
}

main(process.argv.slice(2));
