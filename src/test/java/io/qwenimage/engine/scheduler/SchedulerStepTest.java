package io.qwenimage.engine.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Step formulas: driven by an oracle UNet that knows the clean sample, every scheduler must end at that sample,
 * for each prediction type. (A wrong sign, scale or sigma in any step formula leaves a visible residue.)
 * PNDM with v-prediction keeps a small residue by construction: like diffusers, it extrapolates the raw
 * v outputs, which (unlike epsilon) change along an exact trajectory.
 */
class SchedulerStepTest {

    @ParameterizedTest(name = "{0} {1} {2} steps, {3}")
    @CsvSource({
        "euler, leading, 20, epsilon, 1e-4", "euler, linspace, 20, v_prediction, 1e-4",
        "euler_a, leading, 20, epsilon, 1e-4", "euler_a, trailing, 4, v_prediction, 1e-4",
        "ddim, leading, 20, epsilon, 1e-4", "ddim, trailing, 20, v_prediction, 1e-4", "ddim, leading, 10, sample, 1e-4",
        "dpmpp_2m, linspace, 20, epsilon, 1e-4", "dpmpp_2m, leading, 20, v_prediction, 1e-4",
        "dpmpp_2m_karras, linspace, 20, epsilon, 1e-4", "dpmpp_2m_karras, linspace, 8, v_prediction, 1e-4",
        "pndm, leading, 20, epsilon, 1e-4", "pndm, leading, 50, v_prediction, 2e-3",
        "euler, leading, 20, sample, 1e-4", "dpmpp_2m, linspace, 20, sample, 1e-4", "lcm, leading, 4, sample, 1e-3",
        "lcm, leading, 4, epsilon, 1e-3", "lcm, leading, 8, v_prediction, 1e-3",
    })
    void anOracleModelLeadsToTheCleanSample(String kind, String spacing, int steps, String prediction, double tol) {
        SchedulerConfig config = new SchedulerConfig("PNDMScheduler", 1000, 0.00085, 0.012, "scaled_linear", null,
                spacing, 1, true, prediction, SchedulerReferenceTest.SD15_KEYS);
        NoiseSchedule schedule = config.noiseSchedule();
        Scheduler s = SchedulerKind.fromApiName(kind).create(config, steps, 1.0);
        float[] clean = new float[64];
        GaussianNoise data = new GaussianNoise(1);
        data.fill(clean);
        float[] x = new float[64];
        new GaussianNoise(2).fill(x);
        for (int k = 0; k < x.length; k++) {
            x[k] *= (float) s.initNoiseSigma();
        }
        GaussianNoise noise = new GaussianNoise(3);
        for (int i = 0; i < s.steps(); i++) {
            double sigma = schedule.sigmaAt(s.timestep(i));
            double alphaBar = 1 / (1 + sigma * sigma);
            float[] out = new float[x.length];
            for (int k = 0; k < x.length; k++) {
                double in = x[k] * s.inputScale(i);
                double eps = (in - Math.sqrt(alphaBar) * clean[k]) / Math.sqrt(1 - alphaBar);
                out[k] = (float) switch (PredictionType.parse(prediction)) {
                    case EPSILON -> eps;
                    case V_PREDICTION -> Math.sqrt(alphaBar) * eps - Math.sqrt(1 - alphaBar) * clean[k];
                    case SAMPLE -> clean[k];
                };
            }
            s.step(i, out, x, noise);
        }
        // set_alpha_to_one: DDIM and PNDM end at alpha-bar 1, i.e. exactly at the clean sample
        for (int k = 0; k < x.length; k++) {
            assertThat((double) Math.abs(x[k] - clean[k])).as("element %d", k).isLessThan(tol);
        }
    }
}
