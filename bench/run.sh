#!/usr/bin/env bash
# Runs one bench tool against a freshly started service jar. From the repository root:
#   bench/run.sh OverheadProbe -Dcount=30
#   bench/run.sh BatchingComparison -Dsize=64 -Dseconds=60
#   bench/run.sh Soak -Drequests=1000
#   bench/run.sh Saturation
#   bench/run.sh StartupTime
# Builds the service and the bench first (SKIP_BUILD=1 to reuse the last build). Results: bench/results/*.md.
set -euo pipefail
cd "$(dirname "$0")/.."
tool="$1"
shift
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -q -B install -DskipTests
    ./mvnw -q -B -f bench/pom.xml package
fi
exec java -Xmx512m "$@" -cp "bench/target/classes:$(cat bench/target/classpath.txt)" "io.qwenimage.bench.$tool"
