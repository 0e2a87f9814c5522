#!/usr/bin/env bash
# Restore, snapshot and clone times for a 1 GiB and a 16 GiB volume (issue: goal < 2 s each,
# flat in volume size), and T1Q1 4k read latency of a clone against its parent.
#   bench/restore/run.sh [WRITTEN]      WRITTEN: bytes written into each volume first (default 256M)
# Starts its own node (3 bookies) on free loopback ports in a temp dir, removed at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
written="${1:-256M}"
work="$(mktemp -d /tmp/ledgerdisk-restore-bench.XXXXXX)"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
nbd_port=$(free_port); http_port=$(free_port); api="http://127.0.0.1:$http_port"
node_pid=""
cleanup() { [[ -n "$node_pid" ]] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

JAVA_OPTS=-Xmx4g "$root/bin/ledgerdisk" dev --data "$work/data" --nbd "127.0.0.1:$nbd_port" --http "127.0.0.1:$http_port" \
  --bookies 3 > "$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 120); do
  curl -sf -o /dev/null "$api/api/v1/health" && break
  sleep 1
done
curl -sf -o /dev/null "$api/api/v1/health" || { echo "node did not start; see log:"; tail -20 "$work/node.log"; exit 1; }

# Seconds a POST takes on the node (no CLI JVM start in the figure).
timed_post() {
  curl -s --fail-with-body -o "$work/answer.json" -w '%{time_total}' -X POST -H 'content-type: application/json' -d "$2" "$api$1" \
    || { echo "POST $1 failed: $(cat "$work/answer.json")" >&2; exit 1; }
}

printf '%-10s %-9s %12s %12s %12s %14s %14s\n' volume written restore_s snapshot_s clone_s parent_read_us clone_read_us
for size in 1G 16G; do
  name="v${size,,}"
  timed_post /api/v1/volumes "{\"name\": \"$name\", \"size\": \"$size\"}" > /dev/null
  uri="nbd://127.0.0.1:$nbd_port/$name"
  # Spread the written bytes over the whole volume so the extent map covers all of it.
  fio --name=fill --ioengine=nbd --uri="$uri" --rw=randwrite --bs=1M --iodepth=8 --io_size="$written" \
      --output="$work/fill.txt" > /dev/null
  timed_post "/api/v1/volumes/$name/compact" '{}' > /dev/null
  qemu-io -f raw "$uri" -c 'write -P 0x33 0 64k' > /dev/null
  at=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  sleep 0.2
  qemu-io -f raw "$uri" -c 'write -P 0x44 0 64k' > /dev/null
  restore=$(timed_post "/api/v1/volumes/$name/restore" "{\"at\": \"$at\", \"name\": \"$name-r\"}")
  qemu-io -f raw "nbd://127.0.0.1:$nbd_port/$name-r" -c 'read -P 0x33 0 64k' > /dev/null || { echo "restore of $name is wrong"; exit 1; }
  snapshot=$(timed_post "/api/v1/volumes/$name/snapshots" '{"name": "s1"}')
  clone=$(timed_post "/api/v1/volumes/$name/clone" "{\"snapshot\": \"s1\", \"name\": \"$name-c\"}")
  read_lat() {
    fio --name=r --ioengine=nbd --uri="$1" --rw=randread --bs=4k --iodepth=1 --runtime=5 --time_based \
        --output-format=json --output="$work/read.json" > /dev/null
    /usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print("%.0f" % (j["jobs"][0]["read"]["clat_ns"]["mean"]/1000))' "$work/read.json"
  }
  printf '%-10s %-9s %12s %12s %12s %14s %14s\n' "$size" "$written" "$restore" "$snapshot" "$clone" \
      "$(read_lat "$uri")" "$(read_lat "nbd://127.0.0.1:$nbd_port/$name-c")"
done
