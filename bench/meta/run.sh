#!/usr/bin/env bash
# Metadata benchmark: Ratis command/read latency against the disk's fsync floor, and placement
# at scale. Usage: bench/meta/run.sh [operations]   (default 2000)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mvn -B -q -pl raft-meta install -DskipTests
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -pl raft-meta dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
cp="raft-meta/target/classes:$(cat "$cp_file")"
exec java -Xmx1g -Dlog4j2.configurationFile="$root/raft-meta/src/test/resources/log4j2-test.xml" \
  -cp "$cp" bench/meta/MetaBench.java "$@"
