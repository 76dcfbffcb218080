import * as vscode from 'vscode';

/** The `triage` program the settings name: on the PATH by default. */
export function triageProgram(): string {
  const configured = vscode.workspace.getConfiguration('triage').get<string>('path', 'triage').trim();
  return configured === '' ? 'triage' : configured;
}
