#!/usr/bin/env bash
# Gatling load test against a running service (start it first, e.g. `java -jar target/quarkus-app/quarkus-run.jar`).
#   bench/load.sh closed -Dclients=8 -Dduration=60 -Dsize=64 -Dsteps=20
#   bench/load.sh open -Drate=5 -Dduration=60
# -DbaseUrl=http://host:8000 and -DapiKey=... for another service. The HTML report is written under
# bench/target/gatling/<simulation>-<time>/index.html (Gatling prints the path at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
model="$1"
shift
case "$model" in
    closed) simulation=io.qwenimage.bench.load.ClosedModelSimulation ;;
    open) simulation=io.qwenimage.bench.load.OpenModelSimulation ;;
    *) echo "usage: bench/load.sh closed|open [-Dclients=N|-Drate=R] [-Dduration=S] [-Dsize=P] [-Dsteps=N]" >&2; exit 2 ;;
esac
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -q -B install -DskipTests
fi
exec ./mvnw -B -f bench/pom.xml gatling:test -Dgatling.simulationClass="$simulation" "$@"
