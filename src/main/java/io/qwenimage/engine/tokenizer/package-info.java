/** OpenAI CLIP's byte-level BPE tokenizer over Hugging Face tokenizer files. */
package io.qwenimage.engine.tokenizer;
