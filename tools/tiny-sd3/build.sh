#!/usr/bin/env bash
# Regenerates the tiny random-weight Stable Diffusion 3 fixture (src/test/resources/models/tiny-sd3/) and its PyTorch
# reference outputs (tools/tiny-sd3/parity/), then holds every graph against ONNX Runtime; see README.md.
# Deterministic; a few seconds. Needs tools/tiny-sdxl's fixture (committed) and tools/tiny-flow-common's graphs
# (git-ignored out/: built here with `tools/tiny-flow-common/build.sh export` when missing).
# Usage: tools/tiny-sd3/build.sh [first-step]      (steps, in order: export reference ort)
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3          # Debian's interpreter: python3-torch, python3-onnx, python3-numpy, python3-pil, sentencepiece
REPO=$(cd ../.. && pwd)
first=${1:-export}
started=false
source ../fixture-steps.sh     # step, ort_jar
common_graphs() {
  if [ ! -f ../tiny-flow-common/out/text_encoder_t5/model.onnx ] || [ ! -f ../tiny-flow-common/out/vae_decoder/model.onnx ] \
      || [ ! -f ../tiny-flow-common/out/vae_encoder/model.onnx ]; then
    ../tiny-flow-common/build.sh export
  fi
}
ort_check() {
  # the ONNX Runtime Java binding the project builds with (pom.xml), from the local Maven repository; tiny-sdxl's
  # OrtCheck.java is compiled alongside for its helpers
  local jar classes
  jar=$(ort_jar)
  classes=$(mktemp -d)
  javac -cp "$jar" -d "$classes" ../tiny-sdxl/OrtCheck.java Sd3OrtCheck.java
  local rc=0
  java -cp "$jar:$classes" Sd3OrtCheck "$REPO/src/test/resources/models/tiny-sd3" parity || rc=$?
  rm -rf "$classes"
  return $rc
}
step export common_graphs
step export nice -n 10 $PY export_onnx.py
step reference nice -n 10 $PY reference.py
step ort ort_check
du -sb "$REPO/src/test/resources/models/tiny-sd3" parity
