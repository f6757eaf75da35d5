#!/usr/bin/env bash
# Regenerates the tiny random-weight FLUX.1 fixtures (src/test/resources/models/tiny-flux-dev/, tiny-flux-schnell/)
# and their PyTorch reference outputs (tools/tiny-flux/parity-dev/, parity-schnell/), then holds every graph against
# ONNX Runtime Java; see README.md. Deterministic; about 15 s.
# Usage: tools/tiny-flux/build.sh [first-step]   (steps, in order: common export reference ort)
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3          # Debian's interpreter: python3-torch, python3-onnx, python3-numpy, python3-pil, python3-sentencepiece
REPO=$(cd ../.. && pwd)
first=${1:-common}
started=false
source ../fixture-steps.sh     # step, ort_jar
ort_check() {
  # the ONNX Runtime Java binding the project builds with (pom.xml), from the local Maven repository;
  # FluxOrtCheck reuses tools/tiny-sdxl/OrtCheck.java, so both are compiled together
  local jar classes
  jar=$(ort_jar)
  classes=$(mktemp -d)
  javac -d "$classes" -cp "$jar" ../tiny-sdxl/OrtCheck.java FluxOrtCheck.java
  for variant in dev schnell; do
    java -cp "$jar:$classes" FluxOrtCheck "$REPO/src/test/resources/models/tiny-flux-$variant" "parity-$variant"
  done
  rm -rf "$classes"
}
[ "$first" = common ] && ../tiny-flow-common/build.sh export
[ -f ../tiny-flow-common/out/graphs.json ] || ../tiny-flow-common/build.sh
started=$([ "$first" = common ] && echo true || echo false)
step export nice -n 10 $PY export_flux.py
step reference nice -n 10 $PY flux_reference.py
step ort ort_check
du -sb "$REPO/src/test/resources/models/tiny-flux-dev" "$REPO/src/test/resources/models/tiny-flux-schnell" parity-dev parity-schnell
