#!/usr/bin/env bash
# bench/parse_ceiling.cpp, once on a small file of the kind bench/ratios.sh times: every line of
# `triage gen bench/acme.flow --text-length 100-300` must parse.
# Usage: bench_ceiling.sh TRIAGE_PARSE_CEILING TRIAGE SOURCE_DIR
set -euo pipefail
ceiling=$1 triage=$2 source=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$triage" gen "$source/bench/acme.flow" -n 2000 --seed 1 --text-length 100-300 > "$work/acme.jsonl"
parsed=$("$ceiling" "$work/acme.jsonl")
if [ "$parsed" != "2000 parsed, 0 failed" ]; then
  echo "triage_parse_ceiling: $parsed (expected 2000 parsed, 0 failed)"
  exit 1
fi
echo "parse ceiling: ok"
