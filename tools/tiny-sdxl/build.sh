#!/usr/bin/env bash
# Regenerates the tiny random-weight SDXL fixture (src/test/resources/models/tiny-sdxl/) and its PyTorch reference
# outputs (tools/tiny-sdxl/parity/), then its LCM-SDXL variant (src/test/resources/models/tiny-lcm-sdxl/,
# tools/tiny-sdxl/parity-lcm/), holding each against ONNX Runtime; see README.md. Deterministic; about 15 s.
# Usage: tools/tiny-sdxl/build.sh [first-step]
#   (steps, in order: export reference ort lcm-export lcm-reference lcm-ort; lcm-export needs tiny-sdxl exported)
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3          # Debian's interpreter: python3-torch, python3-onnx, python3-numpy, python3-pil
REPO=$(cd ../.. && pwd)
first=${1:-export}
started=false
source ../fixture-steps.sh     # step, ort_jar
ort_check() {
  # the ONNX Runtime Java binding the project builds with (pom.xml), from the local Maven repository
  local model=$1 parity=$2 jar
  jar=$(ort_jar)
  java -cp "$jar" OrtCheck.java "$REPO/src/test/resources/models/$model" "$parity"
}
step export nice -n 10 $PY export_onnx.py
step reference nice -n 10 $PY reference.py
step ort ort_check tiny-sdxl parity
step lcm-export nice -n 10 $PY export_onnx.py --variant lcm
step lcm-reference nice -n 10 $PY reference_lcm.py
step lcm-ort ort_check tiny-lcm-sdxl parity-lcm
du -sb "$REPO/src/test/resources/models/tiny-sdxl" parity "$REPO/src/test/resources/models/tiny-lcm-sdxl" parity-lcm
