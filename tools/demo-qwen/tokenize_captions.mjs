// Tokenizes every caption of the demo language, wrapped in Qwen-Image's prompt template, with the real Qwen2.5
// tokenizer (models/demo-qwen/tokenizer/) through @huggingface/transformers (npm, v4.x), and writes
// tools/demo-qwen/caption_ids.json: {caption: [ids of the templated caption]}. Checks the template's prefix is
// exactly 34 tokens (QwenImagePipeline's drop_idx).
// Usage: NODE_PATH=/tmp/qtok/node_modules node tools/demo-qwen/tokenize_captions.mjs
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(process.env.NODE_PATH || process.cwd(), "x.js"));
const { PreTrainedTokenizer } = require("@huggingface/transformers");

const folder = path.join(here, "..", "..", "models", "demo-qwen", "tokenizer");
const tokenizerJSON = JSON.parse(fs.readFileSync(path.join(folder, "tokenizer.json"), "utf8"));
const tokenizerConfig = JSON.parse(fs.readFileSync(path.join(folder, "tokenizer_config.json"), "utf8"));
const tok = new PreTrainedTokenizer(tokenizerJSON, tokenizerConfig);

const { template, captions } = JSON.parse(fs.readFileSync(path.join(here, "captions.json"), "utf8"));
const encode = (text) => Array.from(tok.encode(text, { add_special_tokens: true }));
const prefix = encode(template.slice(0, template.indexOf("{}")));
if (prefix.length !== 34) throw new Error(`template prefix is ${prefix.length} tokens, expected 34`);
const out = {};
for (const c of captions) {
  const ids = encode(template.replace("{}", c));
  if (ids.slice(0, 34).join() !== prefix.join()) throw new Error(`prefix changed for ${JSON.stringify(c)}`);
  out[c] = ids;
}
fs.writeFileSync(path.join(here, "caption_ids.json"), JSON.stringify(out));
console.log(`${captions.length} captions; prefix ${prefix.length} tokens; e.g. ${JSON.stringify(captions[0])} -> ` +
  `${out[captions[0]].slice(34).join(" ")}; "" -> ${out[""].slice(34).join(" ")}; " " -> ${out[" "].slice(34).join(" ")}`);
