#!/usr/bin/env bash
# Compares the Ledgerdisk NBD server (MemoryBlockDevice) with `nbdkit memory` using fio's nbd engine on
# Vitastor's six tests (4k randwrite QD1 fsync=1, 4k randread QD1, 4k randwrite QD32, 4k randread QD32,
# 4M write QD8, 4M read QD8). Both servers run side by side in the same run, on loopback.
#
# Usage: bench/nbd/run.sh [runtime-seconds] [size]     (defaults: 10 and 1G)
# Needs: mvn, java 17, fio (with ioengine=nbd), nbdkit, python3.
set -euo pipefail

RUNTIME=${1:-10}
SIZE=${2:-1G}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/ledgerdisk-nbd-bench.XXXXXX)
OURS_PORT=${OURS_PORT:-11809}
NBDKIT_PORT=${NBDKIT_PORT:-11810}
SERVER_PIDS=()

cleanup() {
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

size_mib() {
  python3 -c "import sys; s=sys.argv[1].upper(); u={'K':1/1024,'M':1,'G':1024,'T':1024*1024}; print(int(float(s[:-1])*u[s[-1]]) if s[-1] in u else int(s)//1048576)" "$1"
}

echo "building nbd-frontend test classes..." >&2
(mvn -B -q -f "$ROOT/nbd-frontend/pom.xml" test-compile dependency:build-classpath \
    -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >&2)
CP="$ROOT/nbd-frontend/target/classes:$ROOT/nbd-frontend/target/test-classes:$(cat "$WORK/cp.txt")"

java -Xmx3g -XX:+UseParallelGC -Dlog4j2.level=warn -cp "$CP" io.ledgerdisk.nbd.bench.MemoryNbdServerMain \
    "$OURS_PORT" "$(size_mib "$SIZE")" mem 2 > "$WORK/ours.log" 2>&1 &
SERVER_PIDS+=($!)
nbdkit --foreground --port="$NBDKIT_PORT" --ipaddr=127.0.0.1 --exportname=mem memory "$SIZE" \
    > "$WORK/nbdkit.log" 2>&1 &
SERVER_PIDS+=($!)

for _ in $(seq 1 100); do
  grep -q LISTENING "$WORK/ours.log" 2>/dev/null && nbdinfo --can connect "nbd://127.0.0.1:$NBDKIT_PORT/mem" 2>/dev/null && break
  sleep 0.2
done
grep -q LISTENING "$WORK/ours.log" || { echo "ledgerdisk server did not start:" >&2; cat "$WORK/ours.log" >&2; exit 1; }

run_fio() { # name uri rw bs iodepth extra...
  local name=$1 uri=$2 rw=$3 bs=$4 depth=$5
  shift 5
  fio --name="$name" --ioengine=nbd --uri="$uri" --rw="$rw" --bs="$bs" --iodepth="$depth" \
      --size="$SIZE" --numjobs=1 --group_reporting "$@" \
      --output-format=json --output="$WORK/$name.json" > /dev/null 2>&1
}

SERVERS=("ledgerdisk nbd://127.0.0.1:$OURS_PORT/mem" "nbdkit-memory nbd://127.0.0.1:$NBDKIT_PORT/mem")
echo "prefilling both exports ($SIZE)..." >&2
for entry in "${SERVERS[@]}"; do
  set -- $entry
  run_fio "prefill-$1" "$2" write 4M 8
done

TESTS=(
  "t1q1-randwrite-fsync randwrite 4k 1 --fsync=1"
  "t1q1-randread randread 4k 1"
  "t1q32-randwrite randwrite 4k 32"
  "t1q32-randread randread 4k 32"
  "linear-write write 4M 8"
  "linear-read read 4M 8"
)
for test in "${TESTS[@]}"; do
  set -- $test
  name=$1 rw=$2 bs=$3 depth=$4
  shift 4
  for entry in "${SERVERS[@]}"; do
    read -r server uri <<< "$entry"
    echo "running $name against $server (${RUNTIME}s)..." >&2
    run_fio "$name-$server" "$uri" "$rw" "$bs" "$depth" --time_based --runtime="$RUNTIME" --ramp_time=1 "$@"
  done
done

python3 - "$WORK" <<'PY'
import json, sys, os
work = sys.argv[1]
tests = ["t1q1-randwrite-fsync", "t1q1-randread", "t1q32-randwrite", "t1q32-randread", "linear-write", "linear-read"]
servers = ["ledgerdisk", "nbdkit-memory"]
def figures(path):
    with open(path) as f:
        text = f.read()
    job = json.loads(text[text.index("{"):])["jobs"][0]
    side = job["write"] if job["write"]["io_bytes"] > 0 else job["read"]
    p50 = side.get("clat_ns", {}).get("percentile", {}).get("50.000000", 0) / 1000.0
    return side["iops"], side["lat_ns"]["mean"] / 1000.0, p50, side["bw_bytes"] / 1e6
print(f"{'test':<22}" + "".join(f"{s + ' IOPS':>20}{'mean us':>10}{'p50 us':>9}{'MB/s':>8}" for s in servers))
for t in tests:
    row = f"{t:<22}"
    for s in servers:
        path = os.path.join(work, f"{t}-{s}.json")
        try:
            iops, lat, p50, mbs = figures(path)
            row += f"{iops:>20.0f}{lat:>10.1f}{p50:>9.1f}{mbs:>8.0f}"
        except (OSError, ValueError, KeyError, IndexError) as e:
            row += f"{'failed: ' + type(e).__name__:>47}"
    print(row)
PY
