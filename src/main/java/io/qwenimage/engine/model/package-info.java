/**
 * A model folder in the diffusers/optimum ONNX layout and one stage class per graph (text encoder, UNet, VAE
 * decoder and encoder), each reading its I/O conventions from its session.
 */
package io.qwenimage.engine.model;
