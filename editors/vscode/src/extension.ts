// The triage extension: starts `triage lsp` for .flow files and shows a flow's chart
// (`triage graph --format svg`) in a webview. Everything the editor knows about a flow comes
// from the server; this file only wires it up.
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { showFlowchart, refreshFlowchart } from './flowchart';
import { triageProgram } from './program';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

function serverOptions(): ServerOptions {
  const settings = vscode.workspace.getConfiguration('triage');
  const extra = settings.get<string[]>('serverArguments', []);
  // No `transport`: the client then speaks over the child's stdin and stdout without adding
  // `--stdio` (the server accepts it, but needs nothing).
  return { command: triageProgram(), args: ['lsp', ...extra] };
}

async function startServer(): Promise<void> {
  output ??= vscode.window.createOutputChannel('Triage');
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'triage' },
      { scheme: 'untitled', language: 'triage' },
    ],
    outputChannel: output,
  };
  client = new LanguageClient('triage', 'Triage', serverOptions(), clientOptions);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    const program = triageProgram();
    const choice = await vscode.window.showErrorMessage(
      `Triage: could not start '${program} lsp' (${String(error)}). Is triage installed, or is ` +
        `'triage.path' set to the program?`,
      'Open settings',
    );
    if (choice === 'Open settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'triage.path');
    }
  }
}

async function stopServer(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand('triage.showFlowchart', () => showFlowchart(context)),
    vscode.commands.registerCommand('triage.restartServer', async () => {
      await stopServer();
      await startServer();
    }),
    // The chart follows the file: a save draws it again.
    vscode.workspace.onDidSaveTextDocument((document) => refreshFlowchart(document)),
    // A new program or new arguments take a new server.
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('triage.path') || event.affectsConfiguration('triage.serverArguments')) {
        await stopServer();
        await startServer();
      }
    }),
  );
  await startServer();
}

export async function deactivate(): Promise<void> {
  await stopServer();
}
