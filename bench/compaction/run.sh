#!/bin/sh
# Compaction throughput per core (see CompactionBench.java). Not part of the test run.
# Usage: bench/compaction/run.sh [-Dbench.bytes=536870912] [-Dbench.rounds=3]
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/bench/results/tmp"
mkdir -p "$OUT"
cd "$ROOT"
mvn -B -q -pl chunk-compactor -am install -DskipTests
mvn -B -q -pl chunk-compactor dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$OUT/compaction.classpath"
CP="$ROOT/chunk-compactor/target/classes:$(cat "$OUT/compaction.classpath")"
exec java -Xmx8g -cp "$CP" "$@" "$ROOT/bench/compaction/CompactionBench.java"
