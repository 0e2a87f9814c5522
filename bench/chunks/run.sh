#!/usr/bin/env bash
# T1Q1 4k random-read latency from compacted chunks against nbdkit's file plugin, in one run (issue 6's
# read goal: ours ÷ nbdkit file ≤ 1.0). Three servers over the same data: Ledgerdisk with a local chunk
# directory, Ledgerdisk with chunks on S3 (s3proxy on 127.0.0.1) behind its local read cache, and
# `nbdkit file` over a plain file. Each Ledgerdisk volume is written with fio, folded by `volume compact`
# (so every read comes from chunk files, none from the memtable), then read at random for RUNTIME seconds;
# the chunk files and the nbdkit file are warm in the page cache, as after any recent write. Each server
# gets the same unmeasured warm-up read first.
#
# Usage: bench/chunks/run.sh [runtime-seconds] [region]      (defaults: 10 and 256M)
# Needs: the appliance built (mvn -DskipTests install), fio with ioengine=nbd, nbdkit, python3.
set -euo pipefail

RUNTIME=${1:-10}
REGION=${2:-256M}
# Every server first reads at random for this long, unmeasured: the JVM compiles the chunk read path and
# collects the fold's garbage (the first seconds after a fold run ~1.5x slower), and nbdkit gets the same.
WARMUP=${WARMUP:-8}
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

# ledgerdisk NAME CONFIG-LINES...: starts a node, writes, folds and reads the `demo` volume.
ledgerdisk() {
  local name=$1
  shift
  local nbd_port http_port
  nbd_port=$(free_port)
  http_port=$(free_port)
  printf '%s\n' "$@" > "$WORK/$name.properties"
  echo "starting Ledgerdisk ($name)..." >&2
  "$ROOT/bin/ledgerdisk" dev --data "$WORK/$name-data" --bookies 1 --nbd "127.0.0.1:$nbd_port" \
      --http "127.0.0.1:$http_port" --config "$WORK/$name.properties" > "$WORK/$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  local api="http://127.0.0.1:$http_port"
  wait_health "$api" "$WORK/$name.log"
  local uri="nbd://127.0.0.1:$nbd_port/demo"
  echo "writing $REGION to $name, folding it into chunks..." >&2
  fio_json "fill-$name" "$uri" write 4M 8
  "$ROOT/bin/ledgerdisk" volume compact demo --api "$api" >&2
  echo "reading from $name's chunks (${WARMUP}s warm-up, then ${RUNTIME}s)..." >&2
  fio_json "warmup-$name" "$uri" randread 4k 1 --time_based --runtime="$WARMUP"
  fio_json "read-$name" "$uri" randread 4k 1 --time_based --runtime="$RUNTIME" --ramp_time=1
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}

# Local chunk directory.
ledgerdisk ledgerdisk-local "chunks.store=local"

# S3 (s3proxy) with the local read cache; the fold's chunks are kept in the cache as they are uploaded.
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
java -cp "$(cat "$WORK/s3proxy.cp")" org.gaul.s3proxy.Main --properties "$WORK/s3proxy.conf" > "$WORK/s3proxy.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
  curl -s "http://127.0.0.1:$S3_PORT/" > /dev/null 2>&1 && break
  sleep 0.2
done
ledgerdisk ledgerdisk-s3-cached "chunks.store=s3" "chunks.s3.endpoint=http://127.0.0.1:$S3_PORT" \
    "chunks.s3.bucket=bench-chunks" "chunks.s3.path-style=true" "chunks.s3.access-key=bench" \
    "chunks.s3.secret-key=bench-secret"

# nbdkit file over the same amount of data.
NBDKIT_PORT=$(free_port)
truncate -s "$REGION" "$WORK/nbdkit.img"
nbdkit --foreground --port="$NBDKIT_PORT" --ipaddr=127.0.0.1 --exportname=demo file "$WORK/nbdkit.img" \
    > "$WORK/nbdkit.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
  nbdinfo --can connect "nbd://127.0.0.1:$NBDKIT_PORT/demo" 2> /dev/null && break
  sleep 0.2
done
echo "writing and reading nbdkit file..." >&2
fio_json fill-nbdkit-file "nbd://127.0.0.1:$NBDKIT_PORT/demo" write 4M 8
fio_json warmup-nbdkit-file "nbd://127.0.0.1:$NBDKIT_PORT/demo" randread 4k 1 --time_based --runtime="$WARMUP"
fio_json read-nbdkit-file "nbd://127.0.0.1:$NBDKIT_PORT/demo" randread 4k 1 --time_based --runtime="$RUNTIME" --ramp_time=1

python3 - "$WORK" "$REGION" "$RUNTIME" <<'PY'
import json, os, sys
work, region, runtime = sys.argv[1:4]
def figures(name):
    with open(os.path.join(work, f"read-{name}.json")) as f:
        text = f.read()
    side = json.loads(text[text.index("{"):])["jobs"][0]["read"]
    return side["iops"], side["lat_ns"]["mean"] / 1000.0, side["clat_ns"]["percentile"]["99.000000"] / 1000.0
base = figures("nbdkit-file")
print(f"4k randread T1Q1 from compacted chunks, {region} region, {runtime} s, page cache warm")
print(f"{'server':<24}{'IOPS':>10}{'mean us':>10}{'p99 us':>10}{'mean ÷ nbdkit file':>20}")
for name in ["ledgerdisk-local", "ledgerdisk-s3-cached", "nbdkit-file"]:
    try:
        iops, mean, p99 = figures(name)
        print(f"{name:<24}{iops:>10.0f}{mean:>10.1f}{p99:>10.1f}{mean / base[1]:>19.2f}x")
    except (OSError, ValueError, KeyError) as e:
        print(f"{name:<24} failed: {type(e).__name__} {e}")
PY
