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
step() {
  local name=$1; shift
  [ "$name" = "$first" ] && started=true
  $started || return 0
  echo "== $name: $*"
  "$@" 2>&1 | grep --line-buffered -v -E "Warning|warnings.warn|_C._jit_pass"
}
ort_check() {
  # the ONNX Runtime Java binding the project builds with (pom.xml), from the local Maven repository
  local model=$1 parity=$2 version jar
  version=$(sed -n 's:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p' "$REPO/pom.xml")
  jar="$HOME/.m2/repository/com/microsoft/onnxruntime/onnxruntime/$version/onnxruntime-$version.jar"
  if [ ! -f "$jar" ]; then
    (cd "$REPO" && ./mvnw -q dependency:resolve > /dev/null)
  fi
  java -cp "$jar" OrtCheck.java "$REPO/src/test/resources/models/$model" "$parity"
}
step export nice -n 10 $PY export_onnx.py
step reference nice -n 10 $PY reference.py
step ort ort_check tiny-sdxl parity
step lcm-export nice -n 10 $PY export_onnx.py --variant lcm
step lcm-reference nice -n 10 $PY reference_lcm.py
step lcm-ort ort_check tiny-lcm-sdxl parity-lcm
du -sb "$REPO/src/test/resources/models/tiny-sdxl" parity "$REPO/src/test/resources/models/tiny-lcm-sdxl" parity-lcm
