#!/usr/bin/env bash
# Trains the demo model from scratch and writes models/demo/ plus the test variants; see README.md.
# Usage: tools/demo-model/build.sh [first-step]   (steps: data vae unet export verify parity)
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3                 # Debian's interpreter: the one that sees python3-torch and python3-onnx
mkdir -p work
first=${1:-data}
started=false

step() {
  local name=$1; shift
  [ "$name" = "$first" ] && started=true
  $started || return 0
  local t0; t0=$(date +%s)
  echo "== $name: $*"
  "$@" 2>&1 | grep --line-buffered -v -E "Warning|warnings.warn|_C._jit_pass" | tee "work/$name.log"
  echo "$name $(( $(date +%s) - t0 )) s" | tee -a work/timings.txt
}

parity() {
  # the permanent check: ONNX Runtime (Java) against the PyTorch outputs, all three export conventions
  (cd ../.. && ./mvnw -q -B test -Dtest=DemoModelParityTest && echo "parity: all graphs match PyTorch")
}

step data $PY prepare_data.py
step vae $PY train_vae.py
step unet $PY train_unet.py
step export $PY export_onnx.py
step verify $PY verify.py
step parity parity
