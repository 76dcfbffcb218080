#!/usr/bin/env bash
# Builds the VS Code extension into OUTPUT_DIR/triage-flow-VERSION.vsix, leaving the source tree
# as it was: the sources are copied to OUTPUT_DIR/stage, where `npm ci` installs the packages
# package-lock.json pins, `tsc` compiles src/ to out/ and @vscode/vsce packages the result.
# OUTPUT_DIR/stage/node_modules also serves the grammar tests (tests/CMakeLists.txt).
# Usage: editors/vscode/build.sh OUTPUT_DIR        (needs node and npm; the npm registry, or its cache)
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 OUTPUT_DIR" >&2
  exit 2
fi
source_dir="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$1"
out="$(cd "$1" && pwd)"
case "$out/" in
  "$source_dir"/*) echo "$0: OUTPUT_DIR must be outside $source_dir" >&2; exit 2 ;;
esac
stage="$out/stage"

# A fresh copy of what git would hold: no node_modules or out/ from a build in the source tree.
rm -rf "$stage"
mkdir -p "$stage"
(cd "$source_dir" && tar --exclude=./node_modules --exclude=./out --exclude='./*.vsix' -cf - .) | (cd "$stage" && tar -xf -)
# The project's licence goes into the package (vsce asks for one).
cp "$source_dir/../../LICENSE" "$stage/LICENSE"

cd "$stage"
# --ignore-scripts: nothing here needs an install script (vsce's signing tool and keytar, both
# optional, would fetch or build binaries that packaging does not use).
npm ci --ignore-scripts --omit=optional --no-audit --no-fund --loglevel=error
node_modules/.bin/tsc -p .
version="$(node -p 'require("./package.json").version')"
vsix="$out/triage-flow-$version.vsix"
rm -f "$vsix"
node_modules/.bin/vsce package --allow-missing-repository --out "$vsix" </dev/null
echo "built $vsix"
