package io.qwenimage.engine.model;

/**
 * The text side of a flow-matching transformer call (SD3, FLUX), the same for every step of a run: each row's
 * per-token states and its pooled vector.
 *
 * @param states      {@code rows x tokens x width}
 * @param tokens      text tokens per row
 * @param width       the states' width (the transformer's joint_attention_dim)
 * @param pooled      {@code rows x pooledWidth}
 * @param pooledWidth the pooled vector's width (pooled_projection_dim)
 */
public record FlowText(float[] states, int tokens, int width, float[] pooled, int pooledWidth) {
}
