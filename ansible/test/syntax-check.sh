#!/usr/bin/env bash
# Checks the Ansible provisioning without touching the machine: a syntax check of site.yml,
# then the role's templates rendered (connection=local, into a temp dir) for two configurations
# and grepped for the flags and keys the node needs, plus bad configurations the role must refuse.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export ANSIBLE_LOCAL_TEMP="$tmp/ansible-tmp" ANSIBLE_REMOTE_TEMP="$tmp/ansible-tmp" \
       ANSIBLE_HOME="$tmp/ansible-home" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
       ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0
cd "$root"

fail() { echo "ansible/test: FAIL: $*" >&2; exit 1; }
# expect FILE LINE: FILE has exactly this line
expect() { grep -qxF -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks the line: $2"; }; }
# refuse FILE REGEX: no line of FILE matches
refuse() { if grep -qE -- "$2" "$1"; then cat "$1" >&2; fail "$1 has a line matching: $2"; fi; }
# start NAME CASE-JSON: run the render playbook with these variables in the background
# (the cases run in parallel to keep this step short); output in $tmp/NAME, status in $tmp/NAME.rc
start() {
  mkdir -p "$tmp/$1"
  printf '%s' "$2" >"$tmp/$1.json"
  ( rc=0; ansible-playbook -i localhost, --connection=local ansible/test/render.yml \
      -e "out=$tmp/$1" -e "@$tmp/$1.json" >"$tmp/$1.log" 2>&1 || rc=$?; echo "$rc" >"$tmp/$1.rc" ) &
}
rendered() {
  [[ $(cat "$tmp/$1.rc") == 0 ]] || { cat "$tmp/$1.log" >&2; fail "rendering case $1"; }
  # The node refuses any key outside chunks.* / compaction.* at start (NodeConfig).
  if grep -vE '^(#|$|(chunks|compaction)\.[a-z0-9.-]+=[^[:space:]]+$)' "$tmp/$1/node.properties" >"$tmp/$1.bad"; then
    cat "$tmp/$1/node.properties" >&2; fail "case $1: node.properties has lines the node would refuse: $(cat "$tmp/$1.bad")"
  fi
}
refused() {
  if [[ $(cat "$tmp/$1.rc") == 0 ]]; then fail "case $1 should have been refused by the role's checks"; fi
  grep -q 'ledgerdisk_node: bad variables' "$tmp/$1.log" || { cat "$tmp/$1.log" >&2; fail "case $1 failed, but not in the role's checks"; }
}

start defaults '{"ledgerdisk_git_repo": "https://git.example.invalid/ledgerdisk.git"}'
start s3 '{"ledgerdisk_source": "local", "ledgerdisk_local_src": "/src/ledgerdisk",
  "ledgerdisk_nbd_listen": "0.0.0.0:10809", "ledgerdisk_http_listen": "0.0.0.0:9090",
  "ledgerdisk_bookies": 3, "ledgerdisk_durability": "lazy", "ledgerdisk_limit_nofile": 1048576,
  "ledgerdisk_install_dir": "/srv/ld", "ledgerdisk_data_dir": "/data/ld", "ledgerdisk_java_opts": "-Xmx4g",
  "ledgerdisk_chunks_store": "s3", "ledgerdisk_chunks_s3_endpoint": "http://10.0.0.5:9000",
  "ledgerdisk_chunks_s3_bucket": "chunks", "ledgerdisk_chunks_s3_path_style": true,
  "vault_ledgerdisk_s3_access_key": "AKTEST", "vault_ledgerdisk_s3_secret_key": "SKTEST",
  "ledgerdisk_chunks_cache_bytes": "2G", "ledgerdisk_compaction_retention": "7d",
  "ledgerdisk_extra_properties": {"compaction.gc-interval": "5m", "chunks.s3.prefix": "n2/"}}'
start bad-durability '{"ledgerdisk_git_repo": "https://x.invalid/l.git", "ledgerdisk_durability": "fast"}'
start bad-key '{"ledgerdisk_git_repo": "https://x.invalid/l.git", "ledgerdisk_extra_properties": {"node.id": "n7"}}'
start s3-no-bucket '{"ledgerdisk_git_repo": "https://x.invalid/l.git", "ledgerdisk_chunks_store": "s3"}'
start no-source '{}'

syntax=0
ansible-playbook --syntax-check -i ansible/inventory.example.ini ansible/site.yml >"$tmp/syntax.log" 2>&1 || syntax=$?
wait
[[ $syntax == 0 ]] || { cat "$tmp/syntax.log" >&2; fail "syntax check of site.yml"; }

# 1. The defaults: loopback only, one bookie, immediate, local chunks.
rendered defaults
u="$tmp/defaults/ledgerdisk.service" p="$tmp/defaults/node.properties"
expect "$u" 'ExecStart=/opt/ledgerdisk/bin/ledgerdisk dev --data /var/lib/ledgerdisk --nbd 127.0.0.1:10809 --http 127.0.0.1:8080 --bookies 1 --durability immediate --config /etc/ledgerdisk/node.properties'
expect "$u" 'User=ledgerdisk'
expect "$u" 'KillSignal=SIGTERM'
expect "$u" 'TimeoutStopSec=90'
expect "$u" 'Restart=on-failure'
expect "$u" 'LimitNOFILE=65536'
expect "$u" 'WantedBy=multi-user.target'
expect "$p" 'chunks.store=local'
expect "$p" 'compaction.fold-bytes=64M'
expect "$p" 'compaction.fold-age=30s'
expect "$p" 'compaction.retention=24h'
refuse "$p" '^chunks\.(s3|dir|cache)'
expect "$tmp/defaults/health-url" 'http://127.0.0.1:8080/api/v1/health'

# 2. Everything set: wildcard listen, 3 bookies, lazy, S3 with credentials from vault variables.
rendered s3
u="$tmp/s3/ledgerdisk.service" p="$tmp/s3/node.properties"
expect "$u" 'ExecStart=/srv/ld/bin/ledgerdisk dev --data /data/ld --nbd 0.0.0.0:10809 --http 0.0.0.0:9090 --bookies 3 --durability lazy --config /etc/ledgerdisk/node.properties'
expect "$u" 'WorkingDirectory=/data/ld'
expect "$u" 'Environment="JAVA_OPTS=-Xmx4g"'
expect "$u" 'LimitNOFILE=1048576'
expect "$p" 'chunks.store=s3'
expect "$p" 'chunks.s3.endpoint=http://10.0.0.5:9000'
expect "$p" 'chunks.s3.bucket=chunks'
expect "$p" 'chunks.s3.region=us-east-1'
expect "$p" 'chunks.s3.path-style=true'
expect "$p" 'chunks.s3.access-key=AKTEST'
expect "$p" 'chunks.s3.secret-key=SKTEST'
expect "$p" 'chunks.cache.bytes=2G'
expect "$p" 'chunks.s3.prefix=n2/'
expect "$p" 'compaction.gc-interval=5m'
expect "$p" 'compaction.retention=7d'
expect "$tmp/s3/health-url" 'http://127.0.0.1:9090/api/v1/health'

# 3. Configurations the role must refuse before touching a node.
refused bad-durability
refused bad-key
refused s3-no-bucket
refused no-source

echo "ansible/test: ok (syntax check, 2 rendered configurations, 4 refused)"
