#!/usr/bin/env bash
# Builds satmark's libFuzzer targets (clang, ASan + UBSan, coverage) into
# build-fuzz/ and runs them.
#   scripts/fuzz.sh                 every target, 60 s each
#   scripts/fuzz.sh TARGET [SECONDS] one target (annot, claims, manifest, style, raster,
#                                    imagery, custody)
#   scripts/fuzz.sh all SECONDS     every target, SECONDS each
# Seeds come from the project's own data (tests/data, annotations, assets,
# scripts); the growing corpus is kept in build-fuzz/corpus/TARGET (not in git).
# Before fuzzing, every file under tests/fuzz/regress/TARGET/ (inputs that once
# crashed) is replayed. A finding is written to build-fuzz/crashes/TARGET/ and
# makes the script exit 1; copy it into tests/fuzz/regress/TARGET/ when fixed.
# -timeout=60: an input slower than that is reported as a hang; GDAL on a
# hostile TIFF under ASan on a loaded 2-core machine took 12 s once (1.6 s
# quiet: tests/fuzz/regress/raster/many-bands-short-strip.tif), so a tighter
# limit reports load, not hangs.
# SATMARK_FUZZ_SEED=N fixes libFuzzer's random seed (scripts/test.sh does, so a
# CI run repeats the same mutations for the same corpus).
# Prints one line per target: executions, corpus size, findings.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
targets=(annot claims manifest style raster imagery custody)
want=${1:-all}
secs=${2:-60}
if [[ "$want" != all ]]; then
  [[ " ${targets[*]} " == *" $want "* ]] || { echo "fuzz.sh: unknown target '$want' (${targets[*]})" >&2; exit 2; }
  targets=("$want")
fi
# exit 77 (SKIP, as the tests say it): fuzzing could not run here
command -v clang >/dev/null || { echo "fuzz.sh: SKIP: clang is missing (scripts/install-deps.sh installs it)" >&2; exit 77; }

build="$here/build-fuzz"
CC=clang cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSATMARK_FUZZ=ON \
  -DSATMARK_VIEWER=OFF -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null

seeds_for() {
  case $1 in
    annot) find "$here/annotations" "$here/tests/data/geojson" "$here/tests/data/claims" \
             -type f \( -name '*.geojson' -o -name '*.json' \) ! -name 'claims.json' ! -name 'catalog.json' ;;
    claims) find "$here/annotations" "$here/tests/data/claims" -type f \( -name 'claims.json' -o -name 'catalog.json' \) ;;
    manifest) find "$here/scripts" "$here/tests/data" -type f -name '*.manifest' ;;
    style) echo "$here/assets/style.json" ;;
    raster) find "$here/tests/data" -maxdepth 1 -type f -name '*.tif' -size -100k ;;
    imagery) find "$here/annotations" "$here/tests/data" -type f -name 'imagery.json' ;;
    custody) find "$here/annotations" "$here/tests/data" -type f -name '*.custody.jsonl' ;;
  esac
}

# leak_check_at_exit=0: GDAL drops the network file systems netguard replaces
# and LeakSanitizer reports them when any GDAL-using process exits, whatever
# the input; libFuzzer's own leak check after each input (-detect_leaks) is
# what finds leaks, and it stays on.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1:leak_check_at_exit=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$here/tests/lsan.supp
export GDAL_CACHEMAX=64 CPL_DEBUG=OFF GDAL_PAM_ENABLED=NO
status=0
printf '%-9s %12s %10s %8s %s\n' target executions exec/s corpus findings
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz_$t"
  corpus="$build/corpus/$t"; crashes="$build/crashes/$t"; seeds=$(mktemp -d)
  mkdir -p "$corpus" "$crashes"
  while IFS= read -r f; do cp "$f" "$seeds/$(sha1sum "$f" | cut -c1-16)"; done < <(seeds_for "$t")
  regress="$here/tests/fuzz/regress/$t"
  if [[ -d "$regress" ]] && compgen -G "$regress/*" >/dev/null; then
    if ! "$bin" -runs=1 "$regress"/* >"$build/$t.regress.log" 2>&1; then
      echo "fuzz.sh: $t: a regression input fails again (build-fuzz/$t.regress.log)" >&2; status=1
    fi
  fi
  dict=(); [[ "$t" != raster ]] && dict=(-dict="$here/tests/fuzz/json.dict")
  log="$build/$t.log"
  rc=0
  seed=(); [[ -n "${SATMARK_FUZZ_SEED:-}" ]] && seed=(-seed="$SATMARK_FUZZ_SEED")
  "$bin" "${seed[@]}" -max_total_time="$secs" -timeout=60 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" \
    "$corpus" "$seeds" >"$log" 2>&1 || rc=$?
  rm -rf "$seeds"
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  rate=$(grep -m1 'stat::average_exec_per_sec' "$log" | awk '{print $2}')
  found=$(find "$crashes" -type f | wc -l)
  printf '%-9s %12s %10s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "$(ls "$corpus" | wc -l)" "$found"
  if ((rc != 0)) || ((found > 0)); then
    echo "fuzz.sh: $t: finding(s) in $crashes (log: $log)" >&2
    grep -m3 -E 'ERROR: |runtime error|SUMMARY' "$log" >&2 || true
    status=1
  fi
done
exit $status
