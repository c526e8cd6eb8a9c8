#!/usr/bin/env bash
# Weir's RocksDB state backend against Flink's, same operations, same machine, same moment.
#
# Runs Weir's RocksDbStateBenchmark (-p backend=rocksdb) and FlinkRocksDbStateBenchmark (module
# benchmarks-flink, Flink 1.19.0's RocksDB keyed state backend) one benchmark method at a time,
# Weir and Flink back to back for each method (Weir first for even-numbered methods, Flink first
# for odd ones), so both see the same machine conditions, then prints a table of the two scores
# and their ratio. The two need separate JVMs (Flink's frocksdbjni and Weir's rocksdbjni both ship
# org.rocksdb classes); every JMH run forks its own anyway.
#
# Build first (from the repository root, no install needed):
#   mvn -o -q -DskipTests package -pl benchmarks,benchmarks-flink -am
# Run:
#   benchmarks/compare-state-with-flink.sh                  # JMH args: -f 1 -wi 2 -i 4 -w 1s -r 2s
#   benchmarks/compare-state-with-flink.sh -f 1 -wi 3 -i 6 -w 1s -r 2s   # own JMH args (replace all)
#   METHODS="valueGet bagAdd" benchmarks/compare-state-with-flink.sh    # some methods only
#
# Environment:
#   METHODS      benchmark methods to run, space separated (default: all nine below)
#   RESULTS_DIR  where JMH's JSON results, logs and the table go (default: a new temporary dir)
#   LOCK_WAIT    seconds to wait for another JMH run on this machine to release /tmp/jmh.lock
#                (default 3600); the lock is never overridden, so runs do not overlap
#   VERBOSE=1    show JMH's full output instead of one line per run
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

DEFAULT_METHODS="valueGet valuePut bagAdd bagRead1000 mapPut mapGet orderedListAdd orderedListRangeRead timerSetAndFire"
read -r -a METHOD_LIST <<< "${METHODS:-$DEFAULT_METHODS}"
if [ "$#" -gt 0 ]; then
  JMH_ARGS=("$@")
else
  JMH_ARGS=(-f 1 -wi 2 -i 4 -w 1s -r 2s)
fi
LOCK_WAIT=${LOCK_WAIT:-3600}
RESULTS_DIR=${RESULTS_DIR:-$(mktemp -d /tmp/weir-vs-flink-state.XXXXXX)}
mkdir -p "$RESULTS_DIR"

for module in benchmarks benchmarks-flink; do
  if [ ! -f "$ROOT/$module/target/benchmarks.classpath" ] \
      || [ ! -f "$ROOT/$module/target/classes/META-INF/BenchmarkList" ]; then
    echo "$module is not built; run from $ROOT:" >&2
    echo "  mvn -o -q -DskipTests package -pl benchmarks,benchmarks-flink -am" >&2
    exit 1
  fi
done
WEIR_CP="$ROOT/benchmarks/target/classes:$(cat "$ROOT/benchmarks/target/benchmarks.classpath")"
FLINK_CP="$ROOT/benchmarks-flink/target/classes:$(cat "$ROOT/benchmarks-flink/target/benchmarks.classpath")"

# run_jmh NAME CLASSPATH BENCHMARK-REGEX [EXTRA JMH ARGS...]: JSON to $RESULTS_DIR/NAME.json
run_jmh() {
  local name=$1 cp=$2 regex=$3
  shift 3
  local log="$RESULTS_DIR/$name.log" json="$RESULTS_DIR/$name.json"
  local waited=0
  while true; do
    rm -f "$json"
    local status=0
    if [ "${VERBOSE:-0}" = 1 ]; then
      java -cp "$cp" org.openjdk.jmh.Main "$regex" "$@" "${JMH_ARGS[@]}" -rf json -rff "$json" \
        2>&1 | tee "$log" || status=$?
    else
      java -cp "$cp" org.openjdk.jmh.Main "$regex" "$@" "${JMH_ARGS[@]}" -rf json -rff "$json" \
        > "$log" 2>&1 || status=$?
    fi
    if grep -q "Unable to acquire the JMH lock" "$log"; then
      if [ "$waited" -ge "$LOCK_WAIT" ]; then
        echo "another JMH run held /tmp/jmh.lock for ${LOCK_WAIT}s; giving up" >&2
        exit 1
      fi
      [ "$waited" -eq 0 ] && echo "  (another JMH run holds /tmp/jmh.lock; waiting for it)"
      sleep 10
      waited=$((waited + 10))
      continue
    fi
    if [ "$status" -ne 0 ] || [ ! -s "$json" ] || grep -q "<failure>" "$log"; then
      echo "JMH run $name failed (exit $status); its output:" >&2
      tail -40 "$log" >&2
      exit 1
    fi
    python3 - "$json" "$name" <<'EOF'
import json, sys
runs = json.load(open(sys.argv[1]))
m = runs[0]["primaryMetric"]
print("  %-36s %10.3f ± %.3f %s" % (sys.argv[2], m["score"], float(m["scoreError"]), m["scoreUnit"]))
EOF
    return 0
  done
}

echo "JMH args: ${JMH_ARGS[*]}; results in $RESULTS_DIR"
i=0
for method in "${METHOD_LIST[@]}"; do
  weir_regex="^dev\\.weir\\.benchmarks\\.state\\.RocksDbStateBenchmark\\.${method}\$"
  flink_regex="^dev\\.weir\\.benchmarks\\.flink\\.FlinkRocksDbStateBenchmark\\.${method}\$"
  if [ $((i % 2)) -eq 0 ]; then
    run_jmh "weir-$method" "$WEIR_CP" "$weir_regex" -p backend=rocksdb
    run_jmh "flink-$method" "$FLINK_CP" "$flink_regex"
  else
    run_jmh "flink-$method" "$FLINK_CP" "$flink_regex"
    run_jmh "weir-$method" "$WEIR_CP" "$weir_regex" -p backend=rocksdb
  fi
  i=$((i + 1))
done

python3 - "$RESULTS_DIR" "${METHOD_LIST[@]}" <<'EOF' | tee "$RESULTS_DIR/table.md"
import json, sys

results_dir, methods = sys.argv[1], sys.argv[2:]

def metric(name):
    m = json.load(open("%s/%s.json" % (results_dir, name)))[0]["primaryMetric"]
    if m["scoreUnit"] != "us/op":
        sys.exit("%s: unit %s, expected us/op" % (name, m["scoreUnit"]))
    iterations = [x for fork in m["rawData"] for x in fork]
    return m["score"], float(m["scoreError"]), min(iterations)  # error is "NaN" for 1 iteration

def fmt(score, error):
    return "%.2f ± %.2f" % (score, error) if error == error else "%.2f" % score

notes = {
    "bagRead1000": "per list of 1,000",
    "orderedListAdd": "Flink: MapState<Long, List<Long>> emulation",
    "orderedListRangeRead": "per 100 of 1,000; Flink: MapState emulation, no seek",
    "timerSetAndFire": "Weir's also writes a watermark hold",
}
print()
print("| benchmark | Weir µs/op | Flink µs/op | Weir/Flink | best iterations Weir/Flink | note |")
print("|---|---:|---:|---:|---:|---|")
for method in methods:
    w, we, wb = metric("weir-" + method)
    f, fe, fb = metric("flink-" + method)
    print("| %s | %s | %s | **%.2f** | %.2f (%.2f / %.2f) | %s |"
          % (method, fmt(w, we), fmt(f, fe), w / f, wb / fb, wb, fb, notes.get(method, "")))
print()
print("Scores are JMH means ± 99.9 % error; ratio < 1 means Weir is faster.")
EOF
