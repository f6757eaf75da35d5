#!/usr/bin/env bash
# Builds the pieces shared by the tiny FLUX.1 and SD3 fixtures (see README.md): the tiny T5 tokenizer
# (src/test/resources/tokenizer/t5/), its reference ids (two implementations compared), and the shared graphs in
# tools/tiny-flow-common/out/ (T5 encoder, 16-channel VAE encoder/decoder) that fixture builds copy.
# Deterministic; a few seconds. Usage: tools/tiny-flow-common/build.sh [first-step]  (tokenizer t5-reference export)
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3          # Debian's: python3-torch, python3-onnx, python3-numpy, python3-sentencepiece
first=${1:-tokenizer}
started=false
source ../fixture-steps.sh     # step, ort_jar
npm_ready() {
  [ -d node_modules/@huggingface/transformers ] || npm ci --ignore-scripts --no-audit --no-fund
}
step tokenizer nice -n 10 $PY t5_tokenizer.py
step t5-reference npm_ready
step t5-reference nice -n 10 $PY t5_reference.py
step export nice -n 10 $PY export_common.py
