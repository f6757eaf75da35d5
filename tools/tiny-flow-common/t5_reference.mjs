// T5 token ids from Hugging Face transformers.js (@huggingface/transformers 4.3.1, pinned in package.json /
// package-lock.json): an implementation of tokenizer.json independent of ours and of SentencePiece. Called by
// t5_reference.py, which compares these ids with python-sentencepiece's on spiece.model and writes reference-ids.json.
//
// Usage: node t5_reference.mjs [tokenizer-folder]   -> JSON on stdout: {prompts, cases: [{ids, ids_256, ids_512}]}
// The prompts: tools/qwen-tokenizer-reference/prompts.mjs (imported) followed by t5Prompts below.
import { readFileSync } from 'node:fs';
import { dirname, resolve, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { prompts as sharedPrompts } from '../qwen-tokenizer-reference/prompts.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const folder = resolve(process.argv[2] ?? resolve(here, '../../src/test/resources/tokenizer/t5'));

// T5-specific prompts: whitespace runs, full-width forms, the extra ids and special-token text, pieces the tiny
// vocabulary lacks, and word runs whose piece counts sit on the 256 / 512 limits ("cat" is one piece, "▁cat").
export const t5Prompts = [
  'a  photo   of a    cat',
  '  two leading spaces',
  'two trailing spaces  ',
  '   both sides   ',
  ' ',
  'tab\tseparated\twords',
  'new\nline and\r\ncarriage return',
  '\t\n mixed \t\n whitespace \n\t',
  'ＦＵＬＬＷＩＤＴＨ ｃａｔ １２３ （ｐａｒｅｎｓ） ！？',
  'ﬁne ﬂowers ligatures, ① circled, ™ sign, ½ cup',
  'café crème brûlée, naïve façade, São Paulo, Zürich',
  'Ångström, ÆØÅ, ß, Œuvre, İstanbul',
  'cafe\u0301 with a combining accent',
  '<extra_id_0>',
  'a <extra_id_0> b',
  'fill <extra_id_0> and <extra_id_9> here',
  '<extra_id_0><extra_id_1>',
  '<extra_id_10> is not an extra id of this vocabulary',
  '</s>',
  'a cat</s>',
  'a </s> b',
  '<pad> <unk>',
  '<s> is not special in T5',
  'xylophone quizzical zephyr jukebox',
  'QWERTY qwerty XYZ',
  '日本語 and 中文 are unknown here',
  'emoji 😀 unknown',
  'a photo of a cat, highly detailed, 8k',
  ...[254, 255, 256, 257, 510, 511, 512, 513, 600].map((n) => 'cat '.repeat(n).trim()),
  'a photo of a cat, '.repeat(100),
];

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = dirname(folder) + '/';
const tokenizer = await AutoTokenizer.from_pretrained(basename(folder));

const version = JSON.parse(readFileSync(resolve(here, 'node_modules/@huggingface/transformers/package.json'), 'utf8')).version;
const prompts = [...sharedPrompts, ...t5Prompts];
const call = (text, L) =>
  tokenizer(text, { padding: 'max_length', max_length: L, truncation: true, add_special_tokens: true }).input_ids
    .tolist()[0].map(Number);
const cases = prompts.map((prompt) => ({
  ids: tokenizer.encode(prompt),
  ids_256: call(prompt, 256),
  ids_512: call(prompt, 512),
}));
process.stdout.write(JSON.stringify({
  generator: `@huggingface/transformers ${version} (${tokenizer.constructor.name})`,
  shared_prompts: sharedPrompts.length,
  prompts,
  cases,
}));
