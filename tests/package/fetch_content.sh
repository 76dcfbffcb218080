#!/usr/bin/env bash
# Builds tests/package/fetch_content (a consumer that gets triage with FetchContent) from the
# local checkout, with no build type of its own (triage must not force one), then runs the
# embedding example it built. WORK_DIR is kept between runs, so a rerun rebuilds only what changed.
# Usage: fetch_content.sh SOURCE_DIR WORK_DIR [COMPILER_LAUNCHER]
set -euo pipefail
source_dir=$1
work=$2
launcher=${3:-}
mkdir -p "$work"
cmake -S "$source_dir/tests/package/fetch_content" -B "$work/build" -G Ninja \
  -DFETCHCONTENT_SOURCE_DIR_TRIAGE="$source_dir" -DFETCHCONTENT_FULLY_DISCONNECTED=ON \
  ${launcher:+-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher"} >"$work/configure.log" 2>&1 || {
  cat "$work/configure.log"
  exit 1
}
grep "consumer: build type" "$work/configure.log"
cmake --build "$work/build" -j 2 >"$work/build.log" 2>&1 || {
  tail -50 "$work/build.log"
  exit 1
}
"$work/build/embed" "$source_dir/examples/airforce.flow"
