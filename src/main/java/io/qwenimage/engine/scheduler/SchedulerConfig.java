package io.qwenimage.engine.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import io.qwenimage.engine.JsonFiles;
import io.qwenimage.engine.ModelException;
import java.nio.file.Path;

/**
 * A model's {@code scheduler/scheduler_config.json}, with diffusers' rule for absent keys: a key the file does not
 * set takes the default of the file's own scheduler class (that is what a loaded pipeline's config carries and
 * what {@code OtherScheduler.from_config(pipe.scheduler.config)} inherits), and only keys that class does not
 * have take the default of the scheduler being built.
 *
 * @param className        the file's {@code _class_name}, e.g. PNDMScheduler
 * @param numTrainTimesteps training steps T (1000)
 * @param betaStart        first beta
 * @param betaEnd          last beta
 * @param betaSchedule     "scaled_linear" or "linear"
 * @param trainedBetas     explicit betas, or null
 * @param timestepSpacing  as written, or null when absent
 * @param stepsOffset      as written, or null when absent
 * @param setAlphaToOne    as written, or null when absent
 * @param predictionType   as written, or null when absent
 */
public record SchedulerConfig(String className, int numTrainTimesteps, double betaStart, double betaEnd,
                              String betaSchedule, double[] trainedBetas, String timestepSpacing, Integer stepsOffset,
                              Boolean setAlphaToOne, String predictionType) {

    /** Stable Diffusion 1.5's file: PNDM, scaled_linear 0.00085 to 0.012, steps_offset 1, no spacing key. */
    public static SchedulerConfig stableDiffusion15() {
        return new SchedulerConfig("PNDMScheduler", 1000, 0.00085, 0.012, "scaled_linear", null, null, 1, false,
                null);
    }

    /** Reads the file; a missing or malformed file is a {@link ModelException} naming it. */
    public static SchedulerConfig read(Path file) {
        JsonNode n = JsonFiles.read(file);
        if (!n.isObject()) {
            throw ModelException.of(file, "is not a JSON object");
        }
        double[] trained = null;
        if (n.path("trained_betas").isArray() && !n.path("trained_betas").isEmpty()) {
            trained = new double[n.path("trained_betas").size()];
            for (int i = 0; i < trained.length; i++) {
                trained[i] = n.path("trained_betas").get(i).asDouble();
            }
        }
        SchedulerConfig config = new SchedulerConfig(n.path("_class_name").asText("PNDMScheduler"),
                n.path("num_train_timesteps").asInt(1000), n.path("beta_start").asDouble(0.0001),
                n.path("beta_end").asDouble(0.02), n.path("beta_schedule").asText("linear"), trained,
                text(n, "timestep_spacing"), n.hasNonNull("steps_offset") ? n.get("steps_offset").asInt() : null,
                n.hasNonNull("set_alpha_to_one") ? n.get("set_alpha_to_one").asBoolean() : null,
                text(n, "prediction_type"));
        try {
            config.validate();
        } catch (IllegalArgumentException e) {
            throw ModelException.of(file, e.getMessage(), e);
        }
        return config;
    }

    private void validate() {
        if (numTrainTimesteps < 2) {
            throw new IllegalArgumentException("num_train_timesteps must be at least 2");
        }
        if (trainedBetas != null && trainedBetas.length != numTrainTimesteps) {
            throw new IllegalArgumentException("trained_betas has " + trainedBetas.length + " values, not "
                    + numTrainTimesteps);
        }
        if (trainedBetas == null && !betaSchedule.equals("scaled_linear") && !betaSchedule.equals("linear")) {
            throw new IllegalArgumentException("unsupported beta_schedule '" + betaSchedule + "'");
        }
        if (timestepSpacing != null) {
            TimestepSpacing.parse(timestepSpacing);
        }
        if (predictionType != null) {
            PredictionType.parse(predictionType);
        }
    }

    /** The noise schedule these betas define. */
    public NoiseSchedule noiseSchedule() {
        return new NoiseSchedule(this);
    }

    /** Timestep spacing for a scheduler of the given kind. */
    public TimestepSpacing spacingFor(SchedulerKind kind) {
        if (timestepSpacing != null) {
            return TimestepSpacing.parse(timestepSpacing);
        }
        return switch (className) {
            case "PNDMScheduler", "DDIMScheduler", "LCMScheduler" -> TimestepSpacing.LEADING;
            case "EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "LMSDiscreteScheduler",
                 "DPMSolverMultistepScheduler" -> TimestepSpacing.LINSPACE;
            default -> kind.defaultSpacing();
        };
    }

    /** steps_offset (0 when absent, the default of every scheduler class). */
    public int resolvedStepsOffset() {
        return stepsOffset == null ? 0 : stepsOffset;
    }

    /** set_alpha_to_one for DDIM/PNDM/LCM: the file's value, else the file class's default, else the kind's. */
    public boolean setAlphaToOneFor(SchedulerKind kind) {
        if (setAlphaToOne != null) {
            return setAlphaToOne;
        }
        return switch (className) {
            case "PNDMScheduler" -> false;
            case "DDIMScheduler", "LCMScheduler" -> true;
            default -> kind != SchedulerKind.PNDM;
        };
    }

    /** prediction_type, epsilon when absent. */
    public PredictionType prediction() {
        return predictionType == null ? PredictionType.EPSILON : PredictionType.parse(predictionType);
    }

    private static String text(JsonNode n, String key) {
        return n.hasNonNull(key) ? n.get(key).asText() : null;
    }
}
