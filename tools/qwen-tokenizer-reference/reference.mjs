// Reference token ids for Qwen-Image's prompt template, computed by Hugging Face transformers.js (an implementation
// independent of ours) the way diffusers' QwenImagePipeline._get_qwen_prompt_embeds calls its tokenizer:
//   tokenizer(template.format(prompt), max_length=1024 + 34, padding=True, truncation=True)
// (add_special_tokens left at its default, true; Qwen2's tokenizer adds no BOS/EOS either way).
//
// Usage: node reference.mjs [tokenizer-folder] [output.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Qwen2Tokenizer } from '@huggingface/transformers';
import { batches, prompts } from './prompts.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const folder = resolve(process.argv[2] ?? resolve(here, '../../models/demo-qwen/tokenizer'));
const output = resolve(process.argv[3] ?? resolve(here, '../../src/test/resources/tokenizer/qwen2_5/reference-ids.json'));

const TEMPLATE =
  '<|im_start|>system\nDescribe the image by detailing the color, shape, size, texture, quantity, text, spatial ' +
  'relationships of the objects and background:<|im_end|>\n<|im_start|>user\n{}<|im_end|>\n<|im_start|>assistant\n';
const DROP_IDX = 34;
const TOKENIZER_MAX_LENGTH = 1024;
const MAX_LENGTH = TOKENIZER_MAX_LENGTH + DROP_IDX;

const tokenizer = new Qwen2Tokenizer(
  JSON.parse(readFileSync(resolve(folder, 'tokenizer.json'), 'utf8')),
  JSON.parse(readFileSync(resolve(folder, 'tokenizer_config.json'), 'utf8')),
);

// Python's str.format with one '{}' field; the prompt itself is not re-parsed
const format = (prompt) => TEMPLATE.replace('{}', () => prompt);
const call = (texts) =>
  tokenizer(texts, { max_length: MAX_LENGTH, padding: true, truncation: true, return_tensor: false });

const [prefixText, suffixText] = TEMPLATE.split('{}');
const prefixIds = tokenizer.encode(prefixText);
if (prefixIds.length !== DROP_IDX) {
  throw new Error(`template prefix is ${prefixIds.length} tokens, expected ${DROP_IDX}`);
}

const cases = prompts.map((prompt) => {
  const text = format(prompt);
  const ids = call([text]).input_ids[0];
  const fullLength = tokenizer.encode(text).length;
  return { prompt, ids, full_length: fullLength };
});

const batchCases = batches.map((batch) => {
  const out = call(batch.map(format));
  return { prompts: batch, input_ids: out.input_ids, attention_mask: out.attention_mask };
});

const header = {
  generator: 'tools/qwen-tokenizer-reference/reference.mjs with @huggingface/transformers 4.3.1',
  template: TEMPLATE,
  drop_idx: DROP_IDX,
  max_length: MAX_LENGTH,
  pad_token_id: tokenizer.pad_token_id,
  prefix_ids: prefixIds,
  suffix_ids: tokenizer.encode(suffixText),
};

// one case a line, so a change shows as a readable diff
const lines = Object.entries(header).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
lines.push(`  "cases": [\n${cases.map((c) => '    ' + JSON.stringify(c)).join(',\n')}\n  ]`);
lines.push(`  "batches": [\n${batchCases.map((c) => '    ' + JSON.stringify(c)).join(',\n')}\n  ]`);
writeFileSync(output, `{\n${lines.join(',\n')}\n}\n`);

const truncated = cases.filter((c) => c.full_length > MAX_LENGTH).length;
console.log(`${cases.length} prompts (${truncated} over ${MAX_LENGTH} tokens), ${batchCases.length} batches -> ${output}`);
