#!/usr/bin/env bash
# Trains the demo's x4 upscaler from scratch and writes models/demo-upscaler/ plus the Java parity pair
# (src/test/resources/upscaler-parity/); see README.md. Deterministic; about 12 minutes on an idle 2-core machine.
# Usage: tools/demo-upscaler/build.sh [first-step]   (steps, in order: data train export verify ort)
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3          # Debian's interpreter: python3-torch, python3-onnx, python3-numpy, python3-pil
REPO=$(cd ../.. && pwd)
mkdir -p work
first=${1:-data}
started=false
source ../fixture-steps.sh   # step, ort_jar
timed() {
  # runs one step, its output also in work/<step>.log, its wall time appended to work/timings.txt
  # (the skipping is decided here: `step` runs inside a pipeline, so its `started=true` would not outlive it)
  local name=$1 t0 rc=0; shift
  [ "$name" = "$first" ] && started=true
  $started || return 0
  t0=$(date +%s)
  step "$name" "$@" | tee "work/$name.log" || rc=$?
  echo "$name $(( $(date +%s) - t0 )) s" | tee -a work/timings.txt
  return $rc
}
ort_check() {
  # ONNX Runtime through the Java binding the project builds with (pom.xml), from the local Maven repository
  java -cp "$(ort_jar)" OrtCheck.java "$REPO/models/demo-upscaler/model.onnx" "$REPO/src/test/resources/upscaler-parity"
}
timed data nice -n 10 $PY prepare_data.py
timed train nice -n 10 $PY train.py
timed export nice -n 10 $PY export_onnx.py
timed verify nice -n 10 $PY verify.py
timed ort ort_check
du -b "$REPO/models/demo-upscaler/"* "$REPO/src/test/resources/upscaler-parity/"*
