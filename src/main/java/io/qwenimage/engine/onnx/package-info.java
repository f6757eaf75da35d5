/** ONNX Runtime plumbing: execution provider choice with CPU fallback, session options, typed tensors. */
package io.qwenimage.engine.onnx;
