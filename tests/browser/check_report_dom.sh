#!/usr/bin/env bash
# The report of a four-day, three-channel stream with a crisis (make_stream.py), loaded in headless
# Chromium (Debian's) and asserted on the DOM through the DevTools protocol with playwright-core
# (check_report.mjs; pinned in package-lock.json, installed with `npm ci` into the build folder,
# never the source tree). Keeps report-dom.png (and report-dom-complaint.png, filtered) as artifacts.
# Usage: check_report_dom.sh TRIAGE SOURCE_DIR OUT_DIR
set -euo pipefail
triage=$1 source=$2 out=$3
here="$source/tests/browser"
for tool in node npm python3; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (.ci/deps installs it)"; exit 1; }
done
[ -x /usr/bin/chromium ] || [ -n "${CHROMIUM:-}" ] || { echo "FAIL: chromium is not installed (Debian: apt-get install chromium)"; exit 1; }
modules="$out/browser-node"
mkdir -p "$modules"
# npm ci only when the pinned lock changed since the last install.
if ! cmp -s "$here/package-lock.json" "$modules/package-lock.json" || [ ! -d "$modules/node_modules/playwright-core" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$modules/"
  (cd "$modules" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
cp "$here/check_report.mjs" "$modules/"
python3 "$here/make_stream.py" > "$out/report-dom.jsonl"
"$triage" report "$source/examples/crisis.flow" -m "$out/report-dom.jsonl" --by channel --by topic -o "$out/report-dom.html"
timeout 180 node "$modules/check_report.mjs" "$out/report-dom.html" "$out/report-dom.png"
