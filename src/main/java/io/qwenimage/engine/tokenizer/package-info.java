/**
 * Text tokenizers over Hugging Face tokenizer files: OpenAI CLIP's byte-level BPE (our own Java), and Qwen2.5's
 * (Hugging Face's Rust library through DJL) with Qwen-Image's prompt template.
 */
package io.qwenimage.engine.tokenizer;
