#!/usr/bin/env bash
# The snapshot stall benchmark (issue 9): builds a kv state of --mib MiB (default 1024, the store's limit)
# and prints the longest pause in applying commands while a snapshot is taken and written.
#   scripts/snapshot-stall-bench.sh [--mib N] [--value BYTES]
# Heap: 10 GiB by default (BENCH_HEAP to change); the old byte[] path needs about five times the state.
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file="$PWD/paxlog-sim/target/bench.classpath"
mvn -q -B -pl paxlog-sim -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
exec java -Xms"${BENCH_HEAP:-10g}" -Xmx"${BENCH_HEAP:-10g}" ${BENCH_JAVA_OPTS:-} \
    -cp "paxlog-sim/target/test-classes:paxlog-sim/target/classes:$(cat "$cp_file")" \
    io.paxlog.sim.bench.SnapshotStallBench "$@"
