// "Triage: Show flowchart": `triage graph --format svg FILE`, shown in a webview beside the flow.
// The program is started with execFile and an argument vector, never through a shell (a file
// name is data, not a command), and the picture is an <img> of a data: URI under a Content
// Security Policy that allows nothing else: no script runs, nothing is fetched.
import { execFile } from 'child_process';
import { randomBytes } from 'crypto';
import * as path from 'path';
import * as vscode from 'vscode';
import { triageProgram } from './program';

const panels = new Map<string, vscode.WebviewPanel>();

// A chart of a large flow is a few megabytes of SVG; Graphviz has its own time limit in triage
// (`--limit render-time`), this one only keeps a stuck child from living forever.
const MAX_SVG_BYTES = 64 * 1024 * 1024;
const TIMEOUT_MS = 120_000;

interface Rendered {
  svg?: string;
  problem?: string;
}

function render(file: string): Promise<Rendered> {
  return new Promise((resolve) => {
    execFile(
      triageProgram(),
      ['graph', '--format', 'svg', '--color', 'never', file],
      { cwd: path.dirname(file), maxBuffer: MAX_SVG_BYTES, timeout: TIMEOUT_MS, windowsHide: true },
      (error, stdout, stderr) => {
        if (error) {
          // The flow's diagnostics (exit status 1), or the program could not be started.
          const said = String(stderr).trim();
          resolve({ problem: said !== '' ? said : error.message });
        } else {
          resolve({ svg: String(stdout) });
        }
      },
    );
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(file: string, result: Rendered, unsaved: boolean): string {
  const nonce = randomBytes(16).toString('base64');
  const csp = `default-src 'none'; img-src data:; style-src 'nonce-${nonce}';`;
  const title = escapeHtml(path.basename(file));
  const note = unsaved ? '<p class="note">The file has unsaved changes: this is the saved version.</p>' : '';
  const body =
    result.svg !== undefined
      ? `<img alt="The flowchart of ${title}" src="data:image/svg+xml;base64,${Buffer.from(result.svg, 'utf8').toString('base64')}">`
      : `<p>triage could not draw ${title}:</p><pre>${escapeHtml(result.problem ?? '')}</pre>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${title}</title>
<style nonce="${nonce}">
  body { padding: 1em; }
  img { max-width: 100%; height: auto; background: white; }
  pre { white-space: pre-wrap; }
  .note { font-style: italic; }
</style>
</head>
<body>${note}${body}</body>
</html>`;
}

async function draw(panel: vscode.WebviewPanel, document: vscode.TextDocument): Promise<void> {
  const file = document.uri.fsPath;
  const result = await render(file);
  panel.webview.html = page(file, result, document.isDirty);
}

export async function showFlowchart(context: vscode.ExtensionContext): Promise<void> {
  const document = vscode.window.activeTextEditor?.document;
  if (!document || document.languageId !== 'triage') {
    await vscode.window.showInformationMessage('Triage: open a .flow file to see its flowchart.');
    return;
  }
  if (document.uri.scheme !== 'file') {
    await vscode.window.showInformationMessage('Triage: save the flow first; `triage graph` reads it from disk.');
    return;
  }
  const file = document.uri.fsPath;
  let panel = panels.get(file);
  if (panel) {
    panel.reveal(vscode.ViewColumn.Beside);
  } else {
    panel = vscode.window.createWebviewPanel(
      'triage.flowchart',
      `Flowchart: ${path.basename(file)}`,
      vscode.ViewColumn.Beside,
      { enableScripts: false, localResourceRoots: [] },
    );
    panels.set(file, panel);
    panel.onDidDispose(() => panels.delete(file), undefined, context.subscriptions);
  }
  await draw(panel, document);
}

/** Draws the chart of a saved flow again, if it is shown. */
export async function refreshFlowchart(document: vscode.TextDocument): Promise<void> {
  const panel = panels.get(document.uri.fsPath);
  if (panel) {
    await draw(panel, document);
  }
}
