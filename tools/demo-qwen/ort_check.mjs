// Runs the exported graphs (models/demo-qwen/*/model.onnx) with ONNX Runtime Web (WebAssembly, from npm) on the
// parity fixtures' inputs and compares with the PyTorch outputs in parity/manifest.txt. Python has no
// onnxruntime here, so this is the check that the ONNX graphs compute what the PyTorch modules do.
// Usage: NODE_PATH=/tmp/qtok/node_modules node tools/demo-qwen/ort_check.mjs
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(process.env.NODE_PATH || process.cwd(), "x.js"));
const ort = require("onnxruntime-web");
ort.env.wasm.numThreads = 1;

const parity = path.join(here, "parity");
const models = path.join(here, "..", "..", "models", "demo-qwen");
const entries = {};
for (const line of fs.readFileSync(path.join(parity, "manifest.txt"), "utf8").split("\n")) {
  if (!line || line.startsWith("#")) continue;
  const [part, io, name, dtype, shape, file] = line.split(" ");
  const buf = fs.readFileSync(path.join(parity, file));
  const dims = shape === "-" ? [] : shape.split(",").map(Number);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const data = dtype === "int64" ? new BigInt64Array(ab) : new Float32Array(ab);
  ((entries[part] ??= { in: {}, out: {} })[io])[name] = new ort.Tensor(dtype, data, dims);
}
// the negative transformer call shares the image inputs with the conditional one
entries.transformer_negative.in = { ...entries.transformer.in, ...entries.transformer_negative.in };
const graph = { text_encoder: "text_encoder", text_encoder_negative: "text_encoder", transformer: "transformer",
  transformer_negative: "transformer", transformer_96x64: "transformer", vae_decoder: "vae_decoder",
  vae_decoder_96x64: "vae_decoder", vae_encoder: "vae_encoder" };
let worst = 0;
for (const [part, folder] of Object.entries(graph)) {
  const session = await ort.InferenceSession.create(path.join(models, folder, "model.onnx"));
  const result = await session.run(entries[part].in);
  for (const [name, want] of Object.entries(entries[part].out)) {
    const got = result[name];
    if (got.dims.join() !== want.dims.join()) throw new Error(`${part}.${name}: shape ${got.dims} != ${want.dims}`);
    let err = 0, scale = 0;
    for (let i = 0; i < want.data.length; i++) {
      err = Math.max(err, Math.abs(got.data[i] - want.data[i]));
      scale = Math.max(scale, Math.abs(want.data[i]));
    }
    worst = Math.max(worst, err / Math.max(scale, 1));
    console.log(`${part}.${name} [${want.dims}]: max |onnx - torch| = ${err.toExponential(2)} (max |torch| ${scale.toFixed(3)})`);
  }
}
console.log(worst < 1e-4 ? "ONNX graphs match PyTorch" : `MISMATCH (worst relative ${worst})`);
process.exit(worst < 1e-4 ? 0 : 1);
