#!/usr/bin/env bash
# Runs the JMH benchmarks of the hot pure-Java parts. From the repository root:
#   bench/jmh.sh                  # all, results in bench/results/jmh.txt and jmh.json
#   bench/jmh.sh SchedulerStep    # those whose name matches
# Extra JMH options after the pattern, e.g. bench/jmh.sh Picture -prof gc
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B install -DskipTests
./mvnw -q -B -f bench/pom.xml package
mkdir -p bench/results
pattern="${1:-.}"
shift || true
java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.openjdk.jmh.Main "$pattern" \
    -f 1 -wi 3 -w 2s -i 5 -r 2s -rf json -rff bench/results/jmh.json "$@" | tee bench/results/jmh.txt
