#!/usr/bin/env bash
# Compares the Ledgerdisk NBD server (MemoryBlockDevice) with `nbdkit memory` using fio's nbd engine on
# Vitastor's six tests (4k randwrite QD1 fsync=1, 4k randread QD1, 4k randwrite QD32, 4k randread QD32,
# 4M write QD8, 4M read QD8). Both servers run side by side for the whole run, on loopback.
#
# Method. The host is a shared VM whose CPU steal swings between 0% and 45% within minutes, so one run of
# A then one of B measures the drift as much as the servers. Each test therefore runs ROUNDS rounds, and
# each round runs both servers back to back, alternating who goes first (AB, BA, AB, ...), RUNTIME seconds
# each after a 1 s unmeasured ramp. Reported per server: the median over rounds of IOPS, mean and p50
# latency and MB/s; the ratios (ours ÷ nbdkit) are medians of the per-round ratios, each taken between
# two runs seconds apart. The per-round ratios go to stderr to show the spread.
# The steal-robust figure is server CPU µs per I/O: the server process's utime+stime delta
# (/proc/PID/stat, all threads) over the measured window ÷ the I/Os fio completed in it (total_ios), median
# over rounds. The guest kernel does not charge steal time to a task, so CPU per operation compares the
# servers' efficiency even when wall-clock latency is dominated by steal. (The window starts when fio's
# connection is up plus the ramp, and ends when fio exits; the server is idle around it.)
#
# Usage: bench/nbd/run.sh [runtime-seconds] [size]     (defaults: 5 and 1G; env ROUNDS, default 3)
#        ONLY=REGEX runs only the tests whose names match (e.g. ONLY=linear for the two 4M tests).
#        Ports: free ones are picked unless OURS_PORT / NBDKIT_PORT are set.
# Needs: mvn, java 17, fio (with ioengine=nbd), nbdkit, nbdinfo, ss, python3.
set -euo pipefail

RUNTIME=${1:-5}
SIZE=${2:-1G}
ROUNDS=${ROUNDS:-3}
RAMP=1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/ledgerdisk-nbd-bench.XXXXXX)
SERVER_PIDS=()

cleanup() {
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
OURS_PORT=${OURS_PORT:-$(free_port)}
NBDKIT_PORT=${NBDKIT_PORT:-$(free_port)}

size_mib() {
  python3 -c "import sys; s=sys.argv[1].upper(); u={'K':1/1024,'M':1,'G':1024,'T':1024*1024}; print(int(float(s[:-1])*u[s[-1]]) if s[-1] in u else int(s)//1048576)" "$1"
}

# shellcheck source=../server-cpu.sh
source "$ROOT/bench/server-cpu.sh"

echo "building nbd-frontend test classes..." >&2
(mvn -B -q -f "$ROOT/nbd-frontend/pom.xml" test-compile dependency:build-classpath \
    -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >&2)
CP="$ROOT/nbd-frontend/target/classes:$ROOT/nbd-frontend/target/test-classes:$(cat "$WORK/cp.txt")"

# Both PIDs are the server processes themselves (java and nbdkit are started directly, not via a wrapper).
java -Xmx3g -XX:+UseParallelGC -Dlog4j2.level=warn -cp "$CP" io.ledgerdisk.nbd.bench.MemoryNbdServerMain \
    "$OURS_PORT" "$(size_mib "$SIZE")" mem 2 > "$WORK/ours.log" 2>&1 &
OURS_PID=$!
SERVER_PIDS+=("$OURS_PID")
nbdkit --foreground --port="$NBDKIT_PORT" --ipaddr=127.0.0.1 --exportname=mem memory "$SIZE" \
    > "$WORK/nbdkit.log" 2>&1 &
NBDKIT_PID=$!
SERVER_PIDS+=("$NBDKIT_PID")

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

# measured_fio NAME SERVER-PID PORT URI RW BS DEPTH EXTRA...: one timed fio run; writes NAME.json and
# NAME.cpu (the server's CPU ticks over the measured window).
measured_fio() {
  local name=$1 pid=$2 port=$3 uri=$4 rw=$5 bs=$6 depth=$7
  shift 7
  cpu_during "$pid" "$port" "$RAMP" "$WORK/$name.cpu" \
      run_fio "$name" "$uri" "$rw" "$bs" "$depth" --time_based --runtime="$RUNTIME" --ramp_time="$RAMP" "$@"
}

SERVERS=("ledgerdisk $OURS_PID $OURS_PORT nbd://127.0.0.1:$OURS_PORT/mem"
         "nbdkit-memory $NBDKIT_PID $NBDKIT_PORT nbd://127.0.0.1:$NBDKIT_PORT/mem")
echo "prefilling both exports ($SIZE)..." >&2
for entry in "${SERVERS[@]}"; do
  read -r server _ _ uri <<< "$entry"
  run_fio "prefill-$server" "$uri" write 4M 8
done

TESTS=(
  "t1q1-randwrite-fsync randwrite 4k 1 --fsync=1"
  "t1q1-randread randread 4k 1"
  "t1q32-randwrite randwrite 4k 32"
  "t1q32-randread randread 4k 32"
  "linear-write write 4M 8"
  "linear-read read 4M 8"
)
ONLY=${ONLY:-.}
for test in "${TESTS[@]}"; do
  set -- $test
  name=$1 rw=$2 bs=$3 depth=$4
  shift 4
  [[ $name =~ $ONLY ]] || continue
  for round in $(seq 1 "$ROUNDS"); do
    order=(0 1)
    ((round % 2 == 0)) && order=(1 0)
    for i in "${order[@]}"; do
      read -r server pid port uri <<< "${SERVERS[$i]}"
      echo "running $name against $server, round $round/$ROUNDS (${RUNTIME}s)..." >&2
      measured_fio "$name-$server-r$round" "$pid" "$port" "$uri" "$rw" "$bs" "$depth" "$@"
    done
  done
done

python3 - "$WORK" "$ROUNDS" "$(getconf CLK_TCK)" "$ONLY" <<'PY'
import json, re, sys, os, statistics
work, rounds, clk_tck, only = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
tests = [t for t in ["t1q1-randwrite-fsync", "t1q1-randread", "t1q32-randwrite", "t1q32-randread", "linear-write",
                     "linear-read"] if re.search(only, t)]
servers = ["ledgerdisk", "nbdkit-memory"]
def figures(t, s, r):
    """(IOPS, mean us, p50 us, MB/s, server CPU us per I/O) of one round, or None if it failed."""
    base = os.path.join(work, f"{t}-{s}-r{r}")
    try:
        with open(base + ".json") as f:
            text = f.read()
        job = json.loads(text[text.index("{"):])["jobs"][0]
        side = job["write"] if job["write"]["io_bytes"] > 0 else job["read"]
        p50 = side.get("clat_ns", {}).get("percentile", {}).get("50.000000", 0) / 1000.0
        with open(base + ".cpu") as f:
            cpu = int(f.read()) * 1e6 / clk_tck / side["total_ios"]
        return side["iops"], side["lat_ns"]["mean"] / 1000.0, p50, side["bw_bytes"] / 1e6, cpu
    except (OSError, ValueError, KeyError, IndexError, ZeroDivisionError):
        return None
def median(xs):
    return statistics.median(xs) if xs else float("nan")
# Per-round ratios (ours ÷ nbdkit) on stderr: the spread behind the medians.
for t in tests:
    for r in range(1, rounds + 1):
        a, b = figures(t, servers[0], r), figures(t, servers[1], r)
        first = servers[0] if r % 2 else servers[1]
        if a and b:
            print(f"{t:<22} round {r} ({first} first): IOPS {a[0] / b[0]:.2f}x  mean {a[1] / b[1]:.2f}x  "
                  f"cpu/io {a[4] / b[4]:.2f}x  ({a[1]:.1f} vs {b[1]:.1f} us, cpu {a[4]:.1f} vs {b[4]:.1f} us/io)",
                  file=sys.stderr)
        else:
            print(f"{t:<22} round {r}: failed", file=sys.stderr)
sys.stderr.flush()
print(f"{'test':<22}" + "".join(f"{s + ' IOPS':>20}{'mean us':>10}{'p50 us':>9}{'MB/s':>8}" for s in servers)
      + "".join(f"{s + ' cpu us/io':>25}" for s in servers) + f"{'IOPS ratio':>12}{'mean ratio':>12}{'cpu ratio':>11}")
for t in tests:
    per = {s: [f for f in (figures(t, s, r) for r in range(1, rounds + 1)) if f] for s in servers}
    row = f"{t:<22}"
    for s in servers:
        if per[s]:
            row += "".join(f"{median([f[k] for f in per[s]]):>{w}.{d}f}" for k, w, d in ((0, 20, 0), (1, 10, 1), (2, 9, 1), (3, 8, 0)))
        else:
            row += f"{'failed':>47}"
    for s in servers:
        row += f"{median([f[4] for f in per[s]]):>25.2f}"
    pairs = [(a, b) for a, b in ((figures(t, servers[0], r), figures(t, servers[1], r)) for r in range(1, rounds + 1)) if a and b]
    for k, w in ((0, 12), (1, 12), (4, 11)):
        row += f"{median([a[k] / b[k] for a, b in pairs]):>{w - 1}.2f}x"
    print(row)
print(f"medians over {rounds} rounds, server order alternating; ratios: ours ÷ nbdkit, median of per-round ratios; "
      f"cpu us/io: server utime+stime per completed I/O (steal is not charged to it)")
PY
