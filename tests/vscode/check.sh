#!/usr/bin/env bash
# The VS Code extension's tests (editors/vscode), run by ctest when node and npm are found.
#   check.sh package  SOURCE_DIR OUT_DIR  build the .vsix with editors/vscode/build.sh into OUT_DIR
#                                         and look inside it; leaves OUT_DIR/stage/node_modules
#                                         for the two checks below
#   check.sh tokens   SOURCE_DIR OUT_DIR  vscode-tmgrammar-test: the ^^^ assertions of
#                                         editors/vscode/test/*.flow.test, one per example flow,
#                                         each holding the example as it is
#   check.sh examples SOURCE_DIR OUT_DIR  every example flow tokenizes with no invalid token, and
#                                         every mistake of test/mistakes.flow is marked invalid,
#                                         and the snippets tokenize cleanly
#   check.sh flowchart SOURCE_DIR OUT_DIR TRIAGE
#                                         "Triage: Show flowchart" (the compiled out/flowchart.js, a
#                                         stand-in for VS Code) with this build's triage
set -euo pipefail
mode="$1"
source_dir="$(cd "$2" && pwd)"
mkdir -p "$3"
out="$(cd "$3" && pwd)"
extension="$source_dir/editors/vscode"
grammar="$extension/syntaxes/triage.tmLanguage.json"
modules="$out/stage/node_modules"

case "$mode" in
  package)
    bash "$extension/build.sh" "$out"
    version="$(node -p "require('$extension/package.json').version")"
    python3 - "$out/triage-flow-$version.vsix" "$grammar" <<'PY'
import json, sys, zipfile
vsix, grammar = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(vsix) as z:
    names = set(z.namelist())
    wanted = ["extension/package.json", "extension/out/extension.js", "extension/out/flowchart.js",
              "extension/syntaxes/triage.tmLanguage.json", "extension/language-configuration.json",
              "extension/snippets/triage.json", "extension/node_modules/vscode-languageclient/package.json"]
    missing = [n for n in wanted if n not in names]
    if missing:
        sys.exit(f"vsix: missing {missing}")
    stray = [n for n in names if n.startswith(("extension/src/", "extension/test/")) or n.endswith(".ts")]
    if stray:
        sys.exit(f"vsix: holds sources or tests: {stray[:5]}")
    if z.read("extension/syntaxes/triage.tmLanguage.json") != open(grammar, "rb").read():
        sys.exit("vsix: its grammar is not editors/vscode/syntaxes/triage.tmLanguage.json")
    manifest = json.loads(z.read("extension/package.json"))
    contributes = manifest["contributes"]
    assert contributes["grammars"][0]["scopeName"] == "source.triage", contributes["grammars"]
    assert contributes["languages"][0]["extensions"] == [".flow"], contributes["languages"]
    assert any(c["command"] == "triage.showFlowchart" for c in contributes["commands"])
    if b"'lsp'" not in z.read("extension/out/extension.js"):
        sys.exit("vsix: extension.js does not start `triage lsp`")
    print(f"vsix: ok: {vsix}, {len(names)} files")
PY
    ;;
  tokens)
    # Run outside editors/vscode: there vscode-tmgrammar-test would take the grammar from
    # package.json instead of -g.
    cd "$out"
    "$modules/.bin/vscode-tmgrammar-test" --compact -g "$grammar" "$extension/test/*.flow.test"
    node "$extension/test/check_test_files.js" "$source_dir/examples" "$extension/test"
    echo "vscode tokens: ok"
    ;;
  examples)
    export NODE_PATH="$modules"
    node "$extension/test/check_tokens.js" "$grammar" "$source_dir"/examples/*.flow "$source_dir"/examples/shared/*.flow
    node "$extension/test/check_tokens.js" --expect-invalid "$grammar" "$extension/test/mistakes.flow"
    node "$extension/test/check_snippets.js" "$grammar" "$extension/snippets/triage.json"
    echo "vscode examples: ok"
    ;;
  flowchart)
    node "$extension/test/flowchart_test.js" "$out" "$4" "$source_dir"
    ;;
  *)
    echo "usage: check.sh package|tokens|examples|flowchart SOURCE_DIR OUT_DIR [TRIAGE]" >&2
    exit 2
    ;;
esac
