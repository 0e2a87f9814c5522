#!/usr/bin/env bash
# T1Q1 4k random-read latency from compacted chunks against nbdkit's file plugin, in one run (issue 6's
# read goal: ours ÷ nbdkit file ≤ 1.0). Three servers over the same amount of data, all up at once:
# Ledgerdisk with a local chunk directory, Ledgerdisk with chunks on S3 (s3proxy on 127.0.0.1) behind its
# local read cache, and `nbdkit file` over a plain file. Each Ledgerdisk volume is written with fio and
# folded by `volume compact` (so every read comes from chunk files, none from the memtable); the chunk files
# and the nbdkit file are warm in the page cache, as after any recent write. Each server then gets the same
# unmeasured warm-up read.
#
# Method. The host is a shared VM whose CPU steal swings between 0% and 45% within minutes, so reading one
# server after another minutes apart measures the drift as much as the servers. The reads run in ROUNDS
# rounds; each round reads every server for RUNTIME seconds (after a 1 s unmeasured ramp), and the order
# rotates each round (ABC, BCA, CAB, ...). Reported: the median over rounds of IOPS, mean, p99 and p50
# latency; "mean ÷ nbdkit file" is the median of the per-round ratios (each against the nbdkit read of the
# same round). The per-round ratios go to stderr to show the spread.
# The steal-robust figure is server CPU µs per read: the server process's utime+stime delta (/proc/PID/stat,
# all threads: for a node, the whole JVM) over the measured window ÷ the reads fio completed in it
# (total_ios), median over rounds. The guest kernel does not charge steal time to a task, so CPU per read
# compares the servers' efficiency even when wall-clock latency is dominated by steal.
#
# Usage: bench/chunks/run.sh [runtime-seconds] [region]      (defaults: 5 and 256M; env ROUNDS, default 3,
#        WARMUP, default 8; JAVA_OPTS for the nodes, default -Xmx4g each; s3proxy gets -Xmx1g)
# Needs: the appliance built (mvn -DskipTests install), fio with ioengine=nbd, nbdkit, nbdinfo, ss, python3.
set -euo pipefail

RUNTIME=${1:-5}
REGION=${2:-256M}
ROUNDS=${ROUNDS:-3}
RAMP=1
# Every server first reads at random for this long, unmeasured: the JVM compiles the chunk read path and
# collects the fold's garbage (the first seconds after a fold run ~1.5x slower), and nbdkit gets the same.
WARMUP=${WARMUP:-8}
# Two nodes and s3proxy run at once: bound each node's heap (the JVM default is a quarter of the RAM each).
export JAVA_OPTS=${JAVA_OPTS:--Xmx4g}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/ledgerdisk-chunks-bench.XXXXXX)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# shellcheck source=../server-cpu.sh
source "$ROOT/bench/server-cpu.sh"

fio_json() { # name uri rw bs depth extra...
  local name=$1 uri=$2 rw=$3 bs=$4 depth=$5
  shift 5
  fio --name="$name" --ioengine=nbd --uri="$uri" --rw="$rw" --bs="$bs" --iodepth="$depth" --size="$REGION" \
      --numjobs=1 "$@" --output-format=json --output="$WORK/$name.json" > /dev/null 2>&1
}

wait_health() { # api log
  for _ in $(seq 1 600); do
    curl -sf "$1/api/v1/health" > /dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "node did not become healthy; log:" >&2
  tail -30 "$2" >&2
  exit 1
}

# Per server: its PID (the process whose CPU is counted), NBD port and URI.
declare -A PID_OF PORT_OF URI_OF API_OF

# start_node NAME CONFIG-LINES...: starts a node in the background (wait_health follows).
start_node() {
  local name=$1
  shift
  local nbd_port http_port
  nbd_port=$(free_port)
  http_port=$(free_port)
  printf '%s\n' "$@" > "$WORK/$name.properties"
  echo "starting Ledgerdisk ($name)..." >&2
  # bin/ledgerdisk execs java, so $! is the node's JVM.
  "$ROOT/bin/ledgerdisk" dev --data "$WORK/$name-data" --bookies 1 --nbd "127.0.0.1:$nbd_port" \
      --http "127.0.0.1:$http_port" --config "$WORK/$name.properties" > "$WORK/$name.log" 2>&1 &
  PID_OF[$name]=$!
  PIDS+=("$!")
  PORT_OF[$name]=$nbd_port
  URI_OF[$name]="nbd://127.0.0.1:$nbd_port/demo"
  API_OF[$name]="http://127.0.0.1:$http_port"
}

# s3proxy first: the S3-cached node needs it.
S3_PORT=$(free_port)
S3_POM="$ROOT/chunk-compactor/src/test/resources/io/ledgerdisk/chunk/testsupport/s3proxy-pom.xml"
mvn -B -q -f "$S3_POM" dependency:build-classpath -Dmdep.outputFile="$WORK/s3proxy.cp" >&2
mkdir -p "$WORK/s3"
cat > "$WORK/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench
s3proxy.credential=bench-secret
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$WORK/s3
CONF
java -Xmx1g -cp "$(cat "$WORK/s3proxy.cp")" org.gaul.s3proxy.Main --properties "$WORK/s3proxy.conf" \
    > "$WORK/s3proxy.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
  curl -s "http://127.0.0.1:$S3_PORT/" > /dev/null 2>&1 && break
  sleep 0.2
done

# Local chunk directory.
start_node ledgerdisk-local "chunks.store=local"
# S3 (s3proxy) with the local read cache; the fold's chunks are kept in the cache as they are uploaded.
start_node ledgerdisk-s3-cached "chunks.store=s3" "chunks.s3.endpoint=http://127.0.0.1:$S3_PORT" \
    "chunks.s3.bucket=bench-chunks" "chunks.s3.path-style=true" "chunks.s3.access-key=bench" \
    "chunks.s3.secret-key=bench-secret"

# nbdkit file over the same amount of data.
NBDKIT_PORT=$(free_port)
truncate -s "$REGION" "$WORK/nbdkit.img"
nbdkit --foreground --port="$NBDKIT_PORT" --ipaddr=127.0.0.1 --exportname=demo file "$WORK/nbdkit.img" \
    > "$WORK/nbdkit.log" 2>&1 &
PIDS+=($!)
PID_OF[nbdkit-file]=$!
PORT_OF[nbdkit-file]=$NBDKIT_PORT
URI_OF[nbdkit-file]="nbd://127.0.0.1:$NBDKIT_PORT/demo"

SERVERS=(ledgerdisk-local ledgerdisk-s3-cached nbdkit-file)
for node in ledgerdisk-local ledgerdisk-s3-cached; do
  wait_health "${API_OF[$node]}" "$WORK/$node.log"
  comm=$(cat "/proc/${PID_OF[$node]}/comm")
  [[ $comm == java ]] || echo "warning: $node's PID ${PID_OF[$node]} is '$comm', not the JVM" >&2
done
for _ in $(seq 1 100); do
  nbdinfo --can connect "${URI_OF[nbdkit-file]}" 2> /dev/null && break
  sleep 0.2
done

for node in ledgerdisk-local ledgerdisk-s3-cached; do
  echo "writing $REGION to $node, folding it into chunks..." >&2
  fio_json "fill-$node" "${URI_OF[$node]}" write 4M 8
  "$ROOT/bin/ledgerdisk" volume compact demo --api "${API_OF[$node]}" >&2
done
echo "writing $REGION to nbdkit file..." >&2
fio_json fill-nbdkit-file "${URI_OF[nbdkit-file]}" write 4M 8

for s in "${SERVERS[@]}"; do
  echo "warm-up read from $s (${WARMUP}s, unmeasured)..." >&2
  fio_json "warmup-$s" "${URI_OF[$s]}" randread 4k 1 --time_based --runtime="$WARMUP"
done

# measured_read NAME SERVER: one timed read; writes NAME.json and NAME.cpu (the server's CPU ticks over the
# measured window).
measured_read() {
  local name=$1 s=$2
  cpu_during "${PID_OF[$s]}" "${PORT_OF[$s]}" "$RAMP" "$WORK/$name.cpu" \
      fio_json "$name" "${URI_OF[$s]}" randread 4k 1 --time_based --runtime="$RUNTIME" --ramp_time="$RAMP"
}

n=${#SERVERS[@]}
for round in $(seq 1 "$ROUNDS"); do
  for k in $(seq 0 $((n - 1))); do
    s=${SERVERS[$(((round - 1 + k) % n))]}
    echo "reading from $s, round $round/$ROUNDS (${RUNTIME}s)..." >&2
    measured_read "read-$s-r$round" "$s"
  done
done

python3 - "$WORK" "$REGION" "$RUNTIME" "$ROUNDS" "$(getconf CLK_TCK)" <<'PY'
import json, os, statistics, sys
work, region, runtime = sys.argv[1:4]
rounds, clk_tck = int(sys.argv[4]), int(sys.argv[5])
servers = ["ledgerdisk-local", "ledgerdisk-s3-cached", "nbdkit-file"]
def figures(name, r):
    """(IOPS, mean us, p99 us, p50 us, server CPU us per read) of one round, or None if it failed."""
    base = os.path.join(work, f"read-{name}-r{r}")
    try:
        with open(base + ".json") as f:
            text = f.read()
        side = json.loads(text[text.index("{"):])["jobs"][0]["read"]
        pct = side["clat_ns"]["percentile"]
        with open(base + ".cpu") as f:
            cpu = int(f.read()) * 1e6 / clk_tck / side["total_ios"]
        return side["iops"], side["lat_ns"]["mean"] / 1000.0, pct["99.000000"] / 1000.0, pct["50.000000"] / 1000.0, cpu
    except (OSError, ValueError, KeyError, IndexError, ZeroDivisionError):
        return None
def median(xs):
    return statistics.median(xs) if xs else float("nan")
fig = {(s, r): figures(s, r) for s in servers for r in range(1, rounds + 1)}
# Per-round figures and ratios on stderr: the spread behind the medians.
for r in range(1, rounds + 1):
    order = [servers[(r - 1 + k) % len(servers)] for k in range(len(servers))]
    base = fig[("nbdkit-file", r)]
    for s in servers:
        f = fig[(s, r)]
        if f and base:
            print(f"round {r} ({' > '.join(order)}): {s:<22} mean {f[1]:6.1f} us  cpu {f[4]:5.1f} us/read  "
                  f"mean ÷ nbdkit file {f[1] / base[1]:.2f}x  cpu ÷ nbdkit file {f[4] / base[4]:.2f}x", file=sys.stderr)
        else:
            print(f"round {r}: {s} failed", file=sys.stderr)
sys.stderr.flush()
print(f"4k randread T1Q1 from compacted chunks, {region} region, {rounds} rounds x {runtime} s interleaved "
      f"(medians), page cache warm")
print(f"{'server':<24}{'IOPS':>10}{'mean us':>10}{'p99 us':>10}{'mean ÷ nbdkit file':>20}"
      f"{'p50 us':>10}{'cpu us/read':>13}{'cpu ÷ nbdkit file':>19}")
for s in servers:
    per = [fig[(s, r)] for r in range(1, rounds + 1) if fig[(s, r)]]
    pairs = [(fig[(s, r)], fig[("nbdkit-file", r)]) for r in range(1, rounds + 1) if fig[(s, r)] and fig[("nbdkit-file", r)]]
    if not per:
        print(f"{s:<24} failed")
        continue
    m = [median([f[k] for f in per]) for k in range(5)]
    print(f"{s:<24}{m[0]:>10.0f}{m[1]:>10.1f}{m[2]:>10.1f}{median([a[1] / b[1] for a, b in pairs]):>19.2f}x"
          f"{m[3]:>10.1f}{m[4]:>13.1f}{median([a[4] / b[4] for a, b in pairs]):>18.2f}x")
print("ratios: median of the per-round ratios; cpu us/read: server utime+stime per completed read "
      "(steal is not charged to it)")
PY
