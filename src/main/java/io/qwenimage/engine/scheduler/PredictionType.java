package io.qwenimage.engine.scheduler;

import java.util.Locale;

/** What the UNet predicts: the noise (epsilon), the velocity (SD 2.x 768 models), or the clean sample. */
public enum PredictionType {
    EPSILON, V_PREDICTION, SAMPLE;

    /** Parses diffusers' spelling ("epsilon", "v_prediction", "sample"). */
    public static PredictionType parse(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "epsilon" -> EPSILON;
            case "v_prediction" -> V_PREDICTION;
            case "sample" -> SAMPLE;
            default -> throw new IllegalArgumentException("unknown prediction_type '" + value + "'");
        };
    }
}
