package io.qwenimage.engine.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The keys of a {@code FlowMatchEulerDiscreteScheduler} file (Qwen-Image, SD3, FLUX), with diffusers' defaults
 * for absent ones.
 *
 * @param numTrainTimesteps  T (1000): timesteps are sigma x T
 * @param shift              static shift {@code shift s / (1 + (shift - 1) s)}, used without dynamic shifting
 * @param useDynamicShifting shift by mu from the image's token count instead
 * @param baseShift          mu at {@code baseImageSeqLen} tokens
 * @param maxShift           mu at {@code maxImageSeqLen} tokens
 * @param baseImageSeqLen    image tokens of {@code baseShift}
 * @param maxImageSeqLen     image tokens of {@code maxShift}
 * @param exponentialShift   {@code time_shift_type} exponential ({@code e^mu}) or linear ({@code mu})
 * @param shiftTerminal      the last sigma after stretching, or null for none
 * @param baseSigmas         which sigmas the shift applies to: the pipeline's own (Qwen-Image and FLUX pass
 *                           {@code linspace(1, 1/N, N)}) or the scheduler's from its training table (SD3 passes none)
 */
public record FlowMatchConfig(int numTrainTimesteps, double shift, boolean useDynamicShifting, double baseShift,
                              double maxShift, int baseImageSeqLen, int maxImageSeqLen, boolean exponentialShift,
                              Double shiftTerminal, BaseSigmas baseSigmas) {

    /** Where a run's unshifted sigmas come from: this is the pipeline's choice, not the file's. */
    public enum BaseSigmas {
        /** {@code linspace(1, 1/N, N)}, given by the pipeline (QwenImagePipeline, FluxPipeline). */
        PIPELINE_LINSPACE,
        /**
         * None given (StableDiffusion3Pipeline): {@code linspace(sigma_max, sigma_min, N)} of the scheduler's
         * training table (whose sigmas are already shifted when the shift is static), then shifted again.
         */
        TRAINING_TABLE
    }

    /** A file's keys with the pipeline's base sigmas (the usual case). */
    public FlowMatchConfig(int numTrainTimesteps, double shift, boolean useDynamicShifting, double baseShift,
                           double maxShift, int baseImageSeqLen, int maxImageSeqLen, boolean exponentialShift,
                           Double shiftTerminal) {
        this(numTrainTimesteps, shift, useDynamicShifting, baseShift, maxShift, baseImageSeqLen, maxImageSeqLen,
                exponentialShift, shiftTerminal, BaseSigmas.PIPELINE_LINSPACE);
    }

    /** The same keys, for a pipeline that takes its base sigmas from {@code baseSigmas}. */
    public FlowMatchConfig withBaseSigmas(BaseSigmas base) {
        return new FlowMatchConfig(numTrainTimesteps, shift, useDynamicShifting, baseShift, maxShift, baseImageSeqLen,
                maxImageSeqLen, exponentialShift, shiftTerminal, base);
    }

    /** The static shift {@code shift s / (1 + (shift - 1) s)}. */
    double shifted(double sigma) {
        return shift * sigma / (1 + (shift - 1) * sigma);
    }

    /** Keys that ask for sigma variants this engine does not implement: refused at load, naming the key. */
    static final List<String> NOT_IMPLEMENTED = List.of("use_karras_sigmas", "use_exponential_sigmas",
            "use_beta_sigmas", "invert_sigmas", "stochastic_sampling");

    /** Reads the file's keys; a key it cannot honour is an IllegalArgumentException that names it. */
    static FlowMatchConfig read(JsonNode n) {
        for (String key : NOT_IMPLEMENTED) {
            if (n.path(key).asBoolean(false)) {
                throw new IllegalArgumentException(key + ": true is not implemented by this engine's flow-matching "
                        + "Euler scheduler");
            }
        }
        String shiftType = n.path("time_shift_type").asText("exponential");
        if (!shiftType.equals("exponential") && !shiftType.equals("linear")) {
            throw new IllegalArgumentException("time_shift_type must be exponential or linear, got '" + shiftType
                    + "'");
        }
        Double terminal = n.hasNonNull("shift_terminal") ? n.get("shift_terminal").asDouble() : null;
        if (terminal != null && !(terminal > 0 && terminal < 1)) {
            throw new IllegalArgumentException("shift_terminal must be in (0, 1), got " + terminal);
        }
        FlowMatchConfig c = new FlowMatchConfig(n.path("num_train_timesteps").asInt(1000),
                n.path("shift").asDouble(1.0), n.path("use_dynamic_shifting").asBoolean(false),
                n.path("base_shift").asDouble(0.5), n.path("max_shift").asDouble(1.15),
                n.path("base_image_seq_len").asInt(256), n.path("max_image_seq_len").asInt(4096),
                shiftType.equals("exponential"), terminal);
        if (!(c.shift > 0)) {
            throw new IllegalArgumentException("shift must be positive, got " + c.shift);
        }
        if (c.useDynamicShifting && c.maxImageSeqLen == c.baseImageSeqLen) {
            throw new IllegalArgumentException("max_image_seq_len must differ from base_image_seq_len");
        }
        return c;
    }

    /** Qwen-Image's file (diffusers' QwenImagePipeline scheduler). */
    public static FlowMatchConfig qwenImage() {
        return new FlowMatchConfig(1000, 1.0, true, 0.5, 0.9, 256, 8192, true, 0.02);
    }

    /**
     * mu for an image of {@code imageTokens} packed tokens (diffusers' {@code calculate_shift}): the line through
     * (base_image_seq_len, base_shift) and (max_image_seq_len, max_shift).
     */
    public double mu(int imageTokens) {
        double m = (maxShift - baseShift) / (maxImageSeqLen - baseImageSeqLen);
        double b = baseShift - m * baseImageSeqLen;
        return imageTokens * m + b;
    }
}
