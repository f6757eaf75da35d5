package io.qwenimage.bench.jmh;

import io.qwenimage.engine.scheduler.GaussianNoise;
import io.qwenimage.engine.scheduler.NoiseSource;
import io.qwenimage.engine.scheduler.Scheduler;
import io.qwenimage.engine.scheduler.SchedulerConfig;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One scheduler update at Stable Diffusion's latent size for 512x512 (4x64x64 floats), SD 1.5's scheduler
 * config. The scheduler is re-created per iteration (not timed) so that multistep schedulers run their
 * steady-state step, not their start-up.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SchedulerStepBenchmark {

    static final int STEPS = 30;
    static final int LATENT = 4 * 64 * 64;

    @Param({"EULER", "EULER_ANCESTRAL", "DDIM", "DPMPP_2M_KARRAS", "PNDM", "LCM"})
    public SchedulerKind kind;

    private final float[] modelOutput = new float[LATENT];
    private final float[] sample = new float[LATENT];
    private final GaussianNoise noise = new GaussianNoise(42);
    private final NoiseSource fresh = noise::fill;
    private Scheduler scheduler;
    private int step;

    @Setup(Level.Iteration)
    public void create() {
        scheduler = kind.create(SchedulerConfig.stableDiffusion15(), STEPS, 1.0);
        noise.fill(modelOutput);
        noise.fill(sample);
        // past the multistep schedulers' warm-up (PNDM's first two, DPM-Solver's first)
        for (step = 0; step < 4; step++) {
            scheduler.step(step, modelOutput, sample, fresh);
        }
    }

    @Benchmark
    public float[] step() {
        scheduler.step(step, modelOutput, sample, fresh);
        // stay inside the schedule: the middle steps are all alike
        step = step + 1 < scheduler.steps() - 1 ? step + 1 : 4;
        return sample;
    }
}
