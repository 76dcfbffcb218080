#!/usr/bin/env bash
# bench/parse_ceiling.cpp, once on a small file of the kind bench/ratios.sh times
# (`triage gen bench/acme.flow --text-length 100-300`): every line must parse, and with --acme the
# hand-written ladder must give each outcome as many lines as `triage run` does (else the bound
# it gives is not for the same policy).
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
by_hand=$("$ceiling" --acme "$work/acme.jsonl" | sed -n 's/^outcomes: //p')
"$triage" run -j 1 "$source/bench/acme.flow" "$work/acme.jsonl" -o /dev/null 2> "$work/run.log"
by_triage=$(sed -n 's/^2000 mentions: \(.*\), no outcome [0-9]*, \(errors [0-9]*\)$/\1, \2/p' "$work/run.log")
if [ -z "$by_triage" ] || [ "$by_hand" != "$by_triage" ]; then
  echo "triage_parse_ceiling --acme: $by_hand"
  echo "triage run:                  $by_triage"
  cat "$work/run.log"
  exit 1
fi
echo "parse ceiling: ok ($by_hand)"
