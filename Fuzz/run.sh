#!/usr/bin/env bash
# Runs each libFuzzer harness for SECONDS on a throwaway copy of its seed corpus (Fuzz/Corpus/<target>),
# so the committed corpus never grows. Prints the executions each target reached; a crashing, leaking
# or hanging input is saved in Fuzz/Findings/<target>/ and makes the script exit 1.
#
# usage: Fuzz/run.sh BIN_DIR SECONDS TARGET...   (`make fuzz` builds the harnesses and calls this)
set -uo pipefail
bin_dir=$1
seconds=$2
shift 2
cd "$(dirname "$0")"
# Swift's own crash backtracer reads memory in a way AddressSanitizer reports as a crash of its own.
export SWIFT_BACKTRACE=enable=no
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
for target in "$@"; do
  mkdir -p "$work/$target" "Findings/$target"
  cp Corpus/"$target"/* "$work/$target/"
  # -timeout: seconds one input may take before libFuzzer calls it a hang (parsers take microseconds).
  "$bin_dir/$target" "$work/$target" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="Findings/$target/" >"$work/$target.log" 2>&1
  status=$?
  # Without coverage libFuzzer only tries random bytes; that is a broken build, not a clean run.
  if [ $status -eq 0 ] && grep -q 'Is the code instrumented for coverage' "$work/$target.log"; then
    echo "$target: libFuzzer sees no coverage instrumentation (swiftc needs -sanitize=fuzzer,address in one flag)"
    status=2
  fi
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log")
  if [ $status -eq 0 ]; then
    printf '%-26s %10s executions in %s s, no crash\n' "$target" "${executions:-?}" "$seconds"
  else
    failed+=("$target")
    printf '%-26s FAILED (exit %s) after %s executions; libFuzzer said:\n' "$target" "$status" "${executions:-?}"
    grep -v -E '^#[0-9]+ +(NEW|REDUCE|pulse|INITED)' "$work/$target.log" | tail -40
    ls -t Findings/"$target"/* 2>/dev/null | head -1 | sed "s|^|    input saved in Fuzz/|"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}; replay an input with: $bin_dir/<target> Fuzz/Findings/<target>/<file>"
  exit 1
fi
