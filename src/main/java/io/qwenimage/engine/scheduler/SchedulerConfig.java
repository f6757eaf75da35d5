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
 * @param solver           the keys that change individual schedulers' results, as written
 * @param flow             a flow-matching file's keys (FlowMatchEulerDiscreteScheduler), or null for the
 *                         alpha-bar schedulers' files
 */
public record SchedulerConfig(String className, int numTrainTimesteps, double betaStart, double betaEnd,
                              String betaSchedule, double[] trainedBetas, String timestepSpacing, Integer stepsOffset,
                              Boolean setAlphaToOne, String predictionType, SolverKeys solver, FlowMatchConfig flow) {

    /** The class name of flow-matching files. */
    public static final String FLOW_MATCH_CLASS = "FlowMatchEulerDiscreteScheduler";

    /** An alpha-bar schedule's file (no flow-matching keys). */
    public SchedulerConfig(String className, int numTrainTimesteps, double betaStart, double betaEnd,
                           String betaSchedule, double[] trainedBetas, String timestepSpacing, Integer stepsOffset,
                           Boolean setAlphaToOne, String predictionType, SolverKeys solver) {
        this(className, numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas, timestepSpacing,
                stepsOffset, setAlphaToOne, predictionType, solver, null);
    }

    /** A flow-matching file: only {@code flow} matters. */
    public static SchedulerConfig flowMatching(FlowMatchConfig flow) {
        return new SchedulerConfig(FLOW_MATCH_CLASS, flow.numTrainTimesteps(), 0.0001, 0.02, "linear", null, null,
                null, null, null, SolverKeys.NONE, flow);
    }

    /**
     * The keys of {@code scheduler_config.json} that only some scheduler classes read, each as written or null
     * when absent. They change results, so each is either honoured or makes the schedulers it concerns
     * unavailable for the model ({@link #unavailable}).
     *
     * @param clipSample             DDIM and LCM clip the predicted clean sample (diffusers' DDIM default: true)
     * @param clipSampleRange        the clip bound (1.0)
     * @param thresholding           dynamic thresholding (DDIM, DPM-Solver, LCM): not implemented
     * @param skipPrkSteps           PNDM without its Runge-Kutta warm-up; only true is implemented
     * @param useKarrasSigmas        Euler and DPM-Solver on Karras sigmas (we serve those as dpmpp_2m_karras)
     * @param finalSigmasType        the last sigma of Euler and DPM-Solver: only "zero" is implemented
     * @param originalInferenceSteps LCM's distillation steps (50)
     * @param timestepScaling        LCM's boundary-condition timestep scale (10.0)
     */
    public record SolverKeys(Boolean clipSample, Double clipSampleRange, Boolean thresholding, Boolean skipPrkSteps,
                             Boolean useKarrasSigmas, String finalSigmasType, Integer originalInferenceSteps,
                             Double timestepScaling) {

        /** A file that sets none of them. */
        public static final SolverKeys NONE = new SolverKeys(null, null, null, null, null, null, null, null);
    }

    /** Without any of the {@link SolverKeys}. */
    public SchedulerConfig(String className, int numTrainTimesteps, double betaStart, double betaEnd,
                           String betaSchedule, double[] trainedBetas, String timestepSpacing, Integer stepsOffset,
                           Boolean setAlphaToOne, String predictionType) {
        this(className, numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas, timestepSpacing,
                stepsOffset, setAlphaToOne, predictionType, SolverKeys.NONE);
    }

    /** Stable Diffusion 1.5's file: PNDM, scaled_linear 0.00085 to 0.012, steps_offset 1, no spacing key. */
    public static SchedulerConfig stableDiffusion15() {
        return new SchedulerConfig("PNDMScheduler", 1000, 0.00085, 0.012, "scaled_linear", null, null, 1, false,
                null, new SolverKeys(false, null, null, true, null, null, null, null));
    }

    /** Reads the file; a missing or malformed file is a {@link ModelException} naming it. */
    public static SchedulerConfig read(Path file) {
        JsonNode n = JsonFiles.read(file);
        if (!n.isObject()) {
            throw ModelException.of(file, "is not a JSON object");
        }
        if (n.path("_class_name").asText("").equals(FLOW_MATCH_CLASS)) {
            try {
                return flowMatching(FlowMatchConfig.read(n));
            } catch (IllegalArgumentException e) {
                throw ModelException.of(file, e.getMessage(), e);
            }
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
                text(n, "prediction_type"), new SolverKeys(bool(n, "clip_sample"), number(n, "clip_sample_range"),
                bool(n, "thresholding"), bool(n, "skip_prk_steps"), bool(n, "use_karras_sigmas"),
                text(n, "final_sigmas_type"), n.hasNonNull("original_inference_steps")
                        ? n.get("original_inference_steps").asInt() : null, number(n, "timestep_scaling")));
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
        if (solver.originalInferenceSteps() != null && (solver.originalInferenceSteps() < 1
                || solver.originalInferenceSteps() > numTrainTimesteps)) {
            throw new IllegalArgumentException("original_inference_steps must be between 1 and num_train_timesteps ("
                    + numTrainTimesteps + "), got " + solver.originalInferenceSteps());
        }
        if (solver.timestepScaling() != null && !(solver.timestepScaling() > 0)) {
            throw new IllegalArgumentException("timestep_scaling must be positive, got " + solver.timestepScaling());
        }
        if (solver.clipSampleRange() != null && !(solver.clipSampleRange() > 0)) {
            throw new IllegalArgumentException("clip_sample_range must be positive, got " + solver.clipSampleRange());
        }
    }

    /**
     * Why scheduler {@code kind} cannot run this model the way diffusers would, or null when it can: a key of the
     * file asks for something the engine does not implement (named in the reason), or the combination is one
     * diffusers refuses itself (PNDM with prediction_type sample).
     */
    public String unavailable(SchedulerKind kind) {
        if (flow != null) {
            return kind == SchedulerKind.FLOW_MATCH_EULER ? null : "it is a flow-matching model (" + FLOW_MATCH_CLASS
                    + "); it runs with flow_match_euler only";
        }
        if (kind == SchedulerKind.FLOW_MATCH_EULER) {
            return "flow_match_euler runs flow-matching models (" + FLOW_MATCH_CLASS + "); this model's "
                    + "scheduler is " + className;
        }
        boolean thresholding = Boolean.TRUE.equals(solver.thresholding());
        boolean karras = Boolean.TRUE.equals(solver.useKarrasSigmas());
        boolean sigmaMin = solver.finalSigmasType() != null && !solver.finalSigmasType().equals("zero");
        return switch (kind) {
            case PNDM -> prediction() == PredictionType.SAMPLE
                    ? "PNDM cannot use prediction_type 'sample' (diffusers' PNDMScheduler refuses it too)"
                    : !skipPrkStepsFor() ? "scheduler_config.json leaves skip_prk_steps false (PNDM's Runge-Kutta "
                    + "warm-up), which this engine does not implement" : null;
            case DDIM, LCM -> thresholding ? "scheduler_config.json sets thresholding: true (dynamic "
                    + "thresholding), which this engine does not implement" : null;
            case DPMPP_2M, DPMPP_2M_KARRAS -> thresholding ? "scheduler_config.json sets thresholding: true (dynamic "
                    + "thresholding), which this engine does not implement"
                    : sigmaMin ? "scheduler_config.json sets final_sigmas_type '" + solver.finalSigmasType()
                    + "'; this engine implements only 'zero'"
                    : kind == SchedulerKind.DPMPP_2M && karras ? "scheduler_config.json sets use_karras_sigmas: true;"
                    + " ask for dpmpp_2m_karras" : null;
            case EULER -> sigmaMin ? "scheduler_config.json sets final_sigmas_type '" + solver.finalSigmasType()
                    + "'; this engine implements only 'zero'"
                    : karras ? "scheduler_config.json sets use_karras_sigmas: true, which this engine implements "
                    + "for dpmpp_2m_karras only" : null;
            case EULER_ANCESTRAL, FLOW_MATCH_EULER -> null;
        };
    }

    /** skip_prk_steps: as written, else PNDM's own default (false). */
    boolean skipPrkStepsFor() {
        return Boolean.TRUE.equals(solver.skipPrkSteps());
    }

    /**
     * clip_sample for DDIM or LCM: the file's value; else the default of the file's class when it has the key
     * (DDIM true, LCM false); else the default of the scheduler being built (DDIM true, LCM false).
     */
    public boolean clipSampleFor(SchedulerKind kind) {
        if (solver.clipSample() != null) {
            return solver.clipSample();
        }
        return switch (className) {
            case "DDIMScheduler", "DDPMScheduler" -> true;
            case "LCMScheduler" -> false;
            default -> kind == SchedulerKind.DDIM;
        };
    }

    /** clip_sample_range (1.0 when absent). */
    public double clipSampleRange() {
        return solver.clipSampleRange() == null ? 1.0 : solver.clipSampleRange();
    }

    /** LCM's original_inference_steps (50 when absent). */
    public int originalInferenceSteps() {
        return solver.originalInferenceSteps() == null ? 50 : solver.originalInferenceSteps();
    }

    /** LCM's timestep_scaling (10.0 when absent). */
    public double timestepScaling() {
        return solver.timestepScaling() == null ? 10.0 : solver.timestepScaling();
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

    private static Boolean bool(JsonNode n, String key) {
        return n.hasNonNull(key) ? n.get(key).asBoolean() : null;
    }

    private static Double number(JsonNode n, String key) {
        return n.hasNonNull(key) ? n.get(key).asDouble() : null;
    }

    private static String text(JsonNode n, String key) {
        return n.hasNonNull(key) ? n.get(key).asText() : null;
    }
}
