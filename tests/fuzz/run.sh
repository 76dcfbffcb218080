#!/usr/bin/env bash
# Builds the libFuzzer targets with clang, ASan and UBSan, and runs each for SECONDS (default 60),
# two at a time. Corpora start from examples/ and the test fixtures and grow in build-fuzz/corpus/;
# a crash, leak, timeout or UB report stops that target and leaves its reproducer in
# build-fuzz/findings/ (add it to tests/fixtures/fuzz/ once fixed: the test suite replays those).
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]      targets: compile record format state (default: all)
# Needs clang and libclang-rt-14-dev (apt-get install -y clang libclang-rt-14-dev).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(compile record format state)
build=${BUILD_DIR:-$here/build-fuzz}

cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DTRIAGE_BUILD_FUZZERS=ON -DTRIAGE_SANITIZE=address,undefined -DTRIAGE_BUILD_TESTS=OFF \
  -DTRIAGE_BUILD_CLI=OFF -DTRIAGE_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" --target "${targets[@]/%/_fuzzer}"

seed() {  # seed corpus of one target; file names carry their source path, so none collide
  local dir=$build/corpus/$1 f
  mkdir -p "$dir"
  case $1 in
    compile|format)
      while IFS= read -r -d '' f; do cp "$f" "$dir/$(realpath --relative-to="$here" "$f" | tr / _)"; done \
        < <(find "$here/examples" "$here/tests/fixtures" -name '*.flow' -print0) ;;
    record)
      split -l 1 -a 5 "$here/examples/mentions.jsonl" "$dir/mention-"
      while IFS= read -r -d '' f; do split -l 1 -a 5 "$f" "$dir/$(basename "$f" .jsonl)-"; done \
        < <(find "$here/tests/fixtures" -name '*.jsonl' -print0)
      cp "$here/tests/fixtures/fuzz/record"/* "$dir/" ;;
    state)
      cp "$here/tests/fixtures/fuzz/state"/* "$dir/" ;;
  esac
}

mkdir -p "$build/findings"
status=0
run() {
  local target=$1
  seed "$target"
  local dict=()
  case $target in compile|format) dict=(-dict="$here/tests/fuzz/flow.dict") ;; esac
  if ! "$build/tests/fuzz/${target}_fuzzer" "$build/corpus/$target" "${dict[@]}" -max_total_time="$seconds" \
       -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="$build/findings/$target-" >"$build/$target.log" 2>&1; then
    echo "$target: FINDING (see $build/$target.log and $build/findings/)"
    return 1
  fi
  echo "$target: $(grep -E '^stat::number_of_executed_units' "$build/$target.log" | awk '{print $2}') executions," \
       "$(grep -oE 'cov: [0-9]+' "$build/$target.log" | tail -1) edges, no finding in ${seconds}s"
}
pids=()
for target in "${targets[@]}"; do
  run "$target" & pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}" || status=1; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
