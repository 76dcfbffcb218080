#!/usr/bin/env bash
# Builds the libFuzzer targets with clang, ASan and UBSan, and runs each for SECONDS (default 60),
# two at a time. Corpora start from examples/ and the test fixtures and grow in build-fuzz/corpus/;
# a crash, leak, timeout or UB report stops that target and leaves its reproducer in
# build-fuzz/findings/ (add it to tests/fixtures/fuzz/ once fixed: the test suite replays those).
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]      targets: compile record format state time lsp (default: all)
# Needs clang and libclang-rt-14-dev (apt-get install -y clang libclang-rt-14-dev).
#
# An input that runs longer than FUZZ_TIMEOUT seconds (default 5) or takes more than
# FUZZ_RSS_LIMIT_MB (default 2048) is a finding: slowness is a bug here, like a crash. The compile
# and format targets take inputs of up to FUZZ_FLOW_MAX_LEN bytes (default 1 MiB: large enough
# for every hostile shape that once hung the compiler — a chain of lets, a long word list, a step
# of many branches, long unknown names, many regular expressions, deep nesting — at a size where
# it would still time out; tests/fixtures/fuzz/compile/ seeds each shape small and
# tests/fuzz/flow.dict holds the tokens that grow it); record and state take up to
# FUZZ_MAX_LEN bytes (default 65536), as does lsp (a client's byte stream, seeded with whole
# sessions). FUZZ_JOBS sets the build's parallelism (default: ninja's).
# FUZZ_FLAGS adds libFuzzer flags to every target, e.g. FUZZ_FLAGS=-len_control=0: by default
# libFuzzer lets inputs grow past the largest seed only slowly, whatever -max_len says.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(compile record format state time lsp)
build=${BUILD_DIR:-$here/build-fuzz}
timeout=${FUZZ_TIMEOUT:-5}
rss_limit_mb=${FUZZ_RSS_LIMIT_MB:-2048}
flow_max_len=${FUZZ_FLOW_MAX_LEN:-1048576}
max_len=${FUZZ_MAX_LEN:-65536}
read -r -a extra_flags <<<"${FUZZ_FLAGS:-}"

cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DTRIAGE_BUILD_FUZZERS=ON -DTRIAGE_SANITIZE=address,undefined -DTRIAGE_BUILD_TESTS=OFF \
  -DTRIAGE_BUILD_CLI=OFF -DTRIAGE_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" ${FUZZ_JOBS:+-j "$FUZZ_JOBS"} --target "${targets[@]/%/_fuzzer}"

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
    state|time|lsp)
      cp "$here/tests/fixtures/fuzz/$1"/* "$dir/" ;;
  esac
}

mkdir -p "$build/findings"
status=0
run() {
  local target=$1
  seed "$target"
  local dict=() len=$max_len
  case $target in compile|format) dict=(-dict="$here/tests/fuzz/flow.dict") len=$flow_max_len ;; esac
  if ! "$build/tests/fuzz/${target}_fuzzer" "$build/corpus/$target" "${dict[@]}" -max_total_time="$seconds" \
       -timeout="$timeout" -rss_limit_mb="$rss_limit_mb" -max_len="$len" -print_final_stats=1 \
       ${extra_flags[@]+"${extra_flags[@]}"} -artifact_prefix="$build/findings/$target-" >"$build/$target.log" 2>&1; then
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
