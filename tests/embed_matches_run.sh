#!/usr/bin/env bash
# The embedding example's JSON Lines mode writes exactly what `triage run` writes.
# Usage: embed_matches_run.sh EMBED_EXAMPLE TRIAGE FLOW MENTIONS
set -euo pipefail
embed=$1 triage=$2 flow=$3 mentions=$4
now=2026-11-22T10:00:00Z
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$embed" "$flow" "$mentions" "$now" > "$work/embed.jsonl"
"$triage" run -j 1 "$flow" "$mentions" --now "$now" -o "$work/run.jsonl" --max-errors 100% 2>/dev/null
if cmp -s "$work/embed.jsonl" "$work/run.jsonl"; then
  echo "same $(wc -l < "$work/run.jsonl") lines"
else
  diff "$work/run.jsonl" "$work/embed.jsonl" | head -20
  exit 1
fi
