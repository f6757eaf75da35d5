package io.qwenimage.engine.scheduler;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The schedulers the engine offers, by their API names. */
public enum SchedulerKind {
    EULER("euler", TimestepSpacing.LINSPACE),
    EULER_ANCESTRAL("euler_a", TimestepSpacing.LINSPACE),
    DDIM("ddim", TimestepSpacing.LEADING),
    DPMPP_2M("dpmpp_2m", TimestepSpacing.LINSPACE),
    DPMPP_2M_KARRAS("dpmpp_2m_karras", TimestepSpacing.LINSPACE),
    PNDM("pndm", TimestepSpacing.LEADING),
    LCM("lcm", TimestepSpacing.LEADING),
    FLOW_MATCH_EULER("flow_match_euler", TimestepSpacing.LINSPACE);

    private final String apiName;
    private final TimestepSpacing defaultSpacing;

    SchedulerKind(String apiName, TimestepSpacing defaultSpacing) {
        this.apiName = apiName;
        this.defaultSpacing = defaultSpacing;
    }

    /**
     * The name clients use ("euler", "euler_a", "ddim", "dpmpp_2m", "dpmpp_2m_karras", "pndm", "lcm",
     * "flow_match_euler").
     */
    public String apiName() {
        return apiName;
    }

    /** diffusers' default timestep_spacing of this scheduler class. */
    public TimestepSpacing defaultSpacing() {
        return defaultSpacing;
    }

    /** Looks a kind up by API name (case-insensitive; "-" and "_" alike); unknown names list the valid ones. */
    public static SchedulerKind fromApiName(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (SchedulerKind k : values()) {
            if (k.apiName.equals(key)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown scheduler '" + name + "'; one of " + Arrays.stream(values())
                .map(SchedulerKind::apiName).collect(Collectors.joining(", ")));
    }

    /**
     * A fresh scheduler for one generation.
     *
     * @param steps    num_inference_steps, at least 1
     * @param strength 1 for text-to-image; in (0, 1) for image-to-image. diffusers' rule: the SD image-to-image
     *                 pipelines run the last {@code min(int(N * strength), N)} of the N steps; LCM uses strength once,
     *                 inside its timestep choice, and runs all N steps
     * @throws ScheduleRefusedException when the model's scheduler config rules this scheduler out, or diffusers
     *                                  would refuse the combination (no step left to run, LCM's limits)
     */
    public Scheduler create(SchedulerConfig config, int steps, double strength) {
        return create(config, steps, strength, 0);
    }

    /**
     * As {@link #create(SchedulerConfig, int, double)}, for an image of {@code imageTokens} packed latent tokens:
     * flow-matching models with dynamic shifting shift their sigmas by that count (others ignore it).
     */
    public Scheduler create(SchedulerConfig config, int steps, double strength, int imageTokens) {
        int start = check(config, steps, strength);
        if (this == FLOW_MATCH_EULER && config.flow().useDynamicShifting() && imageTokens < 1) {
            throw new IllegalArgumentException("a dynamically shifted flow-matching schedule needs the image's token "
                    + "count");
        }
        return switch (this) {
            case EULER -> new EulerScheduler(config, this, steps, start, false);
            case EULER_ANCESTRAL -> new EulerScheduler(config, this, steps, start, true);
            case DDIM -> new DdimScheduler(config, steps, start);
            case DPMPP_2M -> new DpmSolverScheduler(config, this, steps, start, false);
            case DPMPP_2M_KARRAS -> new DpmSolverScheduler(config, this, steps, start, true);
            case PNDM -> new PndmScheduler(config, steps, start);
            case LCM -> new LcmScheduler(config, steps, strength);
            case FLOW_MATCH_EULER -> new FlowMatchEulerScheduler(config.flow(), steps, start, imageTokens);
        };
    }

    /**
     * Refuses what {@link #create} would refuse, without building anything (for request validation).
     *
     * @return the index of the first of the N steps that runs (0 for text-to-image and for LCM)
     * @throws ScheduleRefusedException as {@link #create}
     */
    public int check(SchedulerConfig config, int steps, double strength) {
        if (steps < 1) {
            throw new ScheduleRefusedException("num_inference_steps", "num_inference_steps must be at least 1");
        }
        if (!(strength > 0 && strength <= 1)) {
            throw new ScheduleRefusedException("strength", "strength must be in (0, 1]");
        }
        String unavailable = config.unavailable(this);
        if (unavailable != null) {
            throw new ScheduleRefusedException("scheduler", "scheduler " + apiName + " is not available for this "
                    + "model: " + unavailable);
        }
        if (this == LCM) {
            LcmScheduler.origins(config, steps, strength);  // throws diffusers' refusals
            return 0;
        }
        if (this == FLOW_MATCH_EULER) {
            if (steps == 1 && config.flow().shiftTerminal() != null) {
                throw new ScheduleRefusedException("num_inference_steps", "this model's scheduler stretches its "
                        + "sigmas to shift_terminal, which needs at least 2 steps (at 1, diffusers' schedule is NaN)");
            }
            return FlowMatchEulerScheduler.start(steps, strength);   // always leaves a step when strength > 0
        }
        if (this != DPMPP_2M_KARRAS && config.spacingFor(this) == TimestepSpacing.TRAILING) {
            Spacing.trailingPoints(steps, config.numTrainTimesteps());
        }
        int run = Math.min((int) (steps * strength), steps);
        if (run < 1) {
            throw new ScheduleRefusedException("strength", "num_inference_steps x strength must be at least 1 ("
                    + steps + " x " + strength + " leaves no step to run)");
        }
        return steps - run;
    }

    /** The kinds that can run a model of this scheduler config ({@link #check} refuses the others). */
    public static java.util.List<SchedulerKind> availableFor(SchedulerConfig config) {
        return Arrays.stream(values()).filter(k -> config.unavailable(k) == null).toList();
    }
}
