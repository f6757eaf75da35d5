/**
 * The Qwen-Image family's own arithmetic (rotary position tables, 2x2 latent packing, true classifier-free
 * guidance, the VAE's latent normalisation), as diffusers' QwenImagePipeline computes it. Plain Java.
 */
package io.qwenimage.engine.qwen;
