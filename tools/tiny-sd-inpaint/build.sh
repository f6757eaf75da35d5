#!/usr/bin/env bash
# Regenerates the tiny random-weight 9-channel inpainting fixture (src/test/resources/models/tiny-sd-inpaint/) and its
# PyTorch reference of diffusers' StableDiffusionInpaintPipeline (tools/tiny-sd-inpaint/parity/), then holds the
# graphs against ONNX Runtime; see README.md. Deterministic; a few seconds.
# Usage: tools/tiny-sd-inpaint/build.sh [first-step]      (steps, in order: export reference ort)
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3          # Debian's interpreter: python3-torch, python3-onnx, python3-numpy, python3-pil
REPO=$(cd ../.. && pwd)
first=${1:-export}
started=false
source ../fixture-steps.sh     # step, ort_jar
ort_check() {
  # the ONNX Runtime Java binding the project builds with (pom.xml), from the local Maven repository
  local jar
  jar=$(ort_jar)
  nice -n 10 java -cp "$jar" OrtCheck.java "$REPO/src/test/resources/models/tiny-sd-inpaint" parity
}
step export nice -n 10 $PY export_onnx.py
step reference nice -n 10 $PY reference.py
step ort ort_check
du -sb "$REPO/src/test/resources/models/tiny-sd-inpaint" parity
