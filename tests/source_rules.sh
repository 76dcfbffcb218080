#!/usr/bin/env bash
# Rules the compiler cannot check, over the shipped sources (src/ and include/) and the tests' names.
# Usage: tests/source_rules.sh [SOURCE_DIR]; prints each violation and exits 1 if there is one.
set -euo pipefail
root="${1:-$(dirname "$0")/..}"
cd "$root"
root="$PWD"  # absolute: a relative SOURCE_DIR would not survive the cd
status=0

# No shell: another program is started with posix_spawnp and an argument vector
# (src/cli/child_process.cpp), never through std::system, popen or `sh -c`.
if grep -rnE '(std::)?\bsystem[[:space:]]*\(|\bpopen[[:space:]]*\(|"/bin/sh"|"sh", *"-c"' src include; then
  echo "source rules: a shell is started above; use triage::cli::run_child (posix_spawnp, an argument vector)"
  status=1
fi

# Sizes a reader can hold in mind: no file in src/ over 700 lines, no function over 80, unless a
# `// long because: ...` comment says why (tests/source_lengths.py prints each one it finds).
if ! python3 "$root/tests/source_lengths.py" "$root"; then
  echo "source rules: a file or function above is too long; split it, or say why in a '// long because: ...' comment"
  status=1
fi

# CTest takes a test's name as a list: a ';' in a doctest case's name splits it into cases that
# match nothing and fail.
if grep -rnE 'TEST_CASE\("[^"]*;' tests --include='*.cpp'; then
  echo "source rules: a test name above holds ';', which CTest splits; write ',' or 'and'"
  status=1
fi

[ "$status" = 0 ] && echo "source rules: ok"
exit "$status"
