// Tokenizes flow files with the extension's TextMate grammar, the way VS Code does (vscode-textmate
// and the Oniguruma regular expressions, as WebAssembly).
'use strict';
const fs = require('fs');
const path = require('path');
const textmate = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

async function loadGrammar(grammarPath) {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async () => textmate.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath),
  });
  return registry.loadGrammar('source.triage');
}

/** Every line's tokens: {line, start, end, text, scopes}. */
function tokenize(grammar, text) {
  const out = [];
  let state = textmate.INITIAL;
  text.split(/\r?\n/).forEach((line, index) => {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) {
      out.push({ line: index + 1, start: token.startIndex, end: token.endIndex,
                 text: line.slice(token.startIndex, token.endIndex), scopes: token.scopes });
    }
    state = result.ruleStack;
  });
  return out;
}

module.exports = { loadGrammar, tokenize };

// node tokenize.js GRAMMAR FILE: each token with its innermost scope, for writing assertions.
if (require.main === module) {
  loadGrammar(process.argv[2]).then((grammar) => {
    for (const t of tokenize(grammar, fs.readFileSync(process.argv[3], 'utf8'))) {
      if (t.text.trim() !== '') console.log(`${t.line}:${t.start + 1}\t${JSON.stringify(t.text)}\t${t.scopes.slice(1).join(' ')}`);
    }
  });
}
