package io.qwenimage.engine.scheduler;

/** Converts a UNet output into the predicted clean sample, for the alpha-bar (VP) parametrisation. */
final class Prediction {

    private Prediction() {
    }

    /** x0 from the model output at a timestep with cumulative alpha {@code alphaBar}. */
    static float x0(PredictionType type, float modelOutput, float sample, double alphaBar) {
        double a = Math.sqrt(alphaBar);
        double b = Math.sqrt(1 - alphaBar);
        return (float) switch (type) {
            case EPSILON -> (sample - b * modelOutput) / a;
            case V_PREDICTION -> a * sample - b * modelOutput;
            case SAMPLE -> modelOutput;
        };
    }

    /** epsilon from the model output (and the already computed x0). */
    static float epsilon(PredictionType type, float modelOutput, float sample, float x0, double alphaBar) {
        double a = Math.sqrt(alphaBar);
        double b = Math.sqrt(1 - alphaBar);
        return (float) switch (type) {
            case EPSILON -> modelOutput;
            case V_PREDICTION -> a * modelOutput + b * sample;
            case SAMPLE -> (sample - a * x0) / b;
        };
    }
}
