#!/usr/bin/env bash
# Journal benchmark: bare BookKeeper addEntry vs VolumeLog.append (4 KiB, QD1) on the same
# embedded bookies, with the disk's fdatasync floor measured in the same run.
# Usage: bench/journal/run.sh [operations] [bookies] [data directory]   (default 2000 3 a temp dir)
# Pass a data directory on the disk you mean to measure; /tmp may be tmpfs. Extra JVM flags: BENCH_JAVA_OPTS.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mvn -B -q -pl ledger-journal install -DskipTests
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -pl ledger-journal dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
cp="ledger-journal/target/classes:$(cat "$cp_file")"
exec java -Xmx1g ${BENCH_JAVA_OPTS:-} --add-opens java.base/java.io=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED \
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  -Dlog4j2.configurationFile="$root/ledger-journal/src/test/resources/log4j2-test.xml" \
  -cp "$cp" bench/journal/JournalBench.java "$@"
