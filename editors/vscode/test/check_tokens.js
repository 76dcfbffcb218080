// Tokenizes flow files with the grammar and reports every token scoped invalid.*: a correct flow
// has none, so an example that shows one is a gap in the grammar.
//   node check_tokens.js GRAMMAR FILE...                   every file: no invalid token
//   node check_tokens.js --expect-invalid GRAMMAR FILE...  every line that is not blank or a comment:
//                                                          at least one invalid token (the check's own test)
'use strict';
const fs = require('fs');
const { loadGrammar, tokenize } = require('./tokenize');

async function main(args) {
  const expectInvalid = args[0] === '--expect-invalid';
  if (expectInvalid) args = args.slice(1);
  const [grammarPath, ...files] = args;
  if (!grammarPath || files.length === 0) {
    console.error('usage: check_tokens.js [--expect-invalid] GRAMMAR FILE...');
    return 2;
  }
  const grammar = await loadGrammar(grammarPath);
  let problems = 0;
  let lines = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const source = text.split(/\r?\n/);
    lines += source.length;
    const invalid = tokenize(grammar, text).filter((t) => t.scopes.some((s) => s.startsWith('invalid.')));
    if (expectInvalid) {
      const flagged = new Set(invalid.map((t) => t.line));
      source.forEach((line, i) => {
        if (line.trim() !== '' && !line.trim().startsWith('#') && !flagged.has(i + 1)) {
          console.log(`${file}:${i + 1}: no invalid token in a line with a mistake: ${line}`);
          problems++;
        }
      });
    } else {
      for (const t of invalid) {
        console.log(`${file}:${t.line}:${t.start + 1}: ${JSON.stringify(t.text)} is ${t.scopes[t.scopes.length - 1]}`);
        problems++;
      }
    }
  }
  if (problems > 0) {
    console.log(`grammar tokens: ${problems} problem(s)`);
    return 1;
  }
  console.log(`grammar tokens: ${files.length} files, ${lines} lines, ` +
              (expectInvalid ? 'every mistake marked invalid' : 'no invalid token'));
  return 0;
}

main(process.argv.slice(2)).then((status) => { process.exitCode = status; },
                                   (error) => { console.error(error); process.exitCode = 1; });
