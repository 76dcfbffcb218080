#!/usr/bin/env bash
# Opens an HTML report in headless Chromium (Debian's package) and checks what a person would see:
# the two inline SVGs (outcomes over time, and the flowchart with the expected number of nodes and
# edges), and a screenshot that is not blank. The screenshot stays in the build folder as an artifact.
# Usage: check_report.sh TRIAGE FLOW MENTIONS OUT_DIR EXPECTED_NODES EXPECTED_EDGES
set -euo pipefail
triage=$1 flow=$2 mentions=$3 out=$4 want_nodes=$5 want_edges=$6
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "FAIL: chromium is not installed (Debian: apt-get install chromium; .ci/deps installs it)"; exit 1
fi
mkdir -p "$out"
"$triage" report "$flow" -m "$mentions" -o "$out/report.html" --now 2026-11-22T10:00:00Z
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$profile")
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$out/report.html" > "$out/report.dom.html" 2>/dev/null
nodes=$(grep -o 'class="node"' "$out/report.dom.html" | wc -l)
edges=$(grep -o 'class="edge"' "$out/report.dom.html" | wc -l)
# The charts; the chart legend's small shapes (aria-hidden) are not counted.
svgs=$(grep -o '<svg[^>]*>' "$out/report.dom.html" | grep -vc 'aria-hidden')
timeout 120 "$browser" "${flags[@]}" --window-size=1280,2400 --screenshot="$out/report.png" "file://$out/report.html" >/dev/null 2>&1
size=$(stat -c %s "$out/report.png")
echo "rendered: $svgs svg, $nodes nodes, $edges edges; screenshot $out/report.png ($size bytes)"
[ "$svgs" -eq 2 ] || { echo "FAIL: expected two inline SVGs (outcomes over time, the flowchart)"; exit 1; }
[ "$nodes" -eq "$want_nodes" ] || { echo "FAIL: expected $want_nodes nodes"; exit 1; }
[ "$edges" -eq "$want_edges" ] || { echo "FAIL: expected $want_edges edges"; exit 1; }
# A blank 1280x2400 page compresses to a few kilobytes; the report is far larger.
[ "$size" -gt 50000 ] || { echo "FAIL: the screenshot looks blank"; exit 1; }
echo "browser check passed"
