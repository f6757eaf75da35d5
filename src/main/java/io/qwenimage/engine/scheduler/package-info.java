/**
 * Diffusion schedulers with diffusers' numbers: noise schedule, timestep spacings, step formulas for epsilon,
 * v-prediction and sample models, the image-to-image start rule, and the engine's deterministic noise.
 */
package io.qwenimage.engine.scheduler;
