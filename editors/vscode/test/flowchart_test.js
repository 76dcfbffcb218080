// "Triage: Show flowchart" outside VS Code: the compiled out/flowchart.js with a stand-in for the
// `vscode` module, against the real `triage` program. Asserts the view's HTML: the picture as an
// <img> of an SVG data: URI under a CSP that allows nothing else; a flow's errors shown, escaped,
// instead of a picture; a program that cannot be started said so.
//   node flowchart_test.js OUT_DIR TRIAGE SOURCE_DIR      (OUT_DIR: build.sh's, for out/ and scratch files)
'use strict';
const assert = require('assert');
const fs = require('fs');
const Module = require('module');
const path = require('path');

const [outDir, triage, sourceDir] = process.argv.slice(2);
const settings = { path: triage };
const messages = [];
const panels = new Map(); // by title: the extension keeps one panel per file

const vscode = {
  ViewColumn: { Beside: -2 },
  workspace: { getConfiguration: () => ({ get: (key, fallback) => settings[key] ?? fallback }) },
  window: {
    activeTextEditor: undefined,
    showInformationMessage: async (message) => { messages.push(message); },
    createWebviewPanel: (_type, title, _column, options) => {
      assert.strictEqual(options.enableScripts, false, 'the view runs no script');
      const panel = { title, webview: { html: '' }, reveal() {}, onDidDispose() {} };
      panels.set(title, panel);
      return panel;
    },
  },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? vscode : load.call(this, request, ...rest);
};
const { showFlowchart } = require(path.join(outDir, 'stage', 'out', 'flowchart.js'));

function editing(file) {
  vscode.window.activeTextEditor = {
    document: { languageId: 'triage', isDirty: false, uri: { scheme: 'file', fsPath: file } },
  };
}

async function htmlFor(file) {
  editing(file);
  await showFlowchart({ subscriptions: [] });
  return panels.get(`Flowchart: ${path.basename(file)}`).webview.html;
}

function checkCsp(html) {
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(csp, 'the page has a Content-Security-Policy');
  assert.match(csp[1], /^default-src 'none'; img-src data:; style-src 'nonce-[A-Za-z0-9+/=]+';$/);
  assert.doesNotMatch(html, /<script/i, 'no script element');
}

async function main() {
  const scratch = path.join(outDir, 'flowchart-test');
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });

  // A flow that checks: its chart, as an SVG in an <img>.
  let html = await htmlFor(path.join(sourceDir, 'examples', 'airforce.flow'));
  checkCsp(html);
  const img = /<img alt="The flowchart of airforce\.flow" src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)">/.exec(html);
  assert.ok(img, 'the chart is an <img> of an SVG data: URI');
  const svg = Buffer.from(img[1], 'base64').toString('utf8');
  assert.ok(/<svg[\s>]/.test(svg), 'an SVG picture');
  assert.ok(svg.includes('Air Force web posting response assessment (version 2)'), 'the chart of airforce.flow');

  // A flow with a mistake (and markup in it): the diagnostics, escaped, and no picture.
  const broken = path.join(scratch, 'broken.flow');
  fs.writeFileSync(broken, 'flow "<b>bold</b>" version 1\nstart done\noutcome dnoe "Done" { monitor }\n');
  html = await htmlFor(broken);
  checkCsp(html);
  assert.doesNotMatch(html, /<img/);
  assert.match(html, /triage could not draw broken\.flow:/);
  assert.match(html, /error\[T012\]/);
  assert.doesNotMatch(html, /<b>bold/, 'the flow\'s text is escaped');

  // A program that does not exist: said in the view, not thrown.
  settings.path = path.join(scratch, 'no-such-triage');
  html = await htmlFor(path.join(sourceDir, 'examples', 'airforce.flow'));
  assert.match(html, /triage could not draw airforce\.flow:[\s\S]*ENOENT/);
  settings.path = triage;

  // Not a flow: a message, no view.
  const before = panels.size;
  vscode.window.activeTextEditor = { document: { languageId: 'markdown', uri: { scheme: 'file', fsPath: 'x.md' } } };
  await showFlowchart({ subscriptions: [] });
  assert.strictEqual(panels.size, before);
  assert.match(messages.pop(), /open a \.flow file/);

  console.log('flowchart view: ok');
}

main().catch((error) => { console.error(error); process.exitCode = 1; });
