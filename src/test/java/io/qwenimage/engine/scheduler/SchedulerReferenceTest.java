package io.qwenimage.engine.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Timesteps and sigmas against diffusers' values for SD 1.5's betas (diffusion-facts §6.4, every row of the
 * N = 4 and N = 20 tables) and the image-to-image start rule (§6.5 anchors).
 */
class SchedulerReferenceTest {

    /** The SD 1.5 file's keys: clip_sample false, skip_prk_steps true. */
    static final SchedulerConfig.SolverKeys SD15_KEYS = new SchedulerConfig.SolverKeys(false, null, null, true, null,
            null, null, null);

    static SchedulerConfig sd15(String spacing) {
        return new SchedulerConfig("PNDMScheduler", 1000, 0.00085, 0.012, "scaled_linear", null, spacing, 1, false,
                null, SD15_KEYS);
    }

    static double[] list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
    }

    static double[] timesteps(Scheduler s) {
        return IntStream.range(0, s.steps()).mapToDouble(s::timestep).toArray();
    }

    static double[] sigmas(Scheduler s) {
        return IntStream.rangeClosed(0, s.steps()).mapToDouble(i -> s instanceof EulerScheduler e ? e.sigma(i)
                : ((DpmSolverScheduler) s).sigma(i)).toArray();
    }

    @ParameterizedTest(name = "{0} {1} N={2}")
    @CsvSource(delimiter = '|', value = {
        // kind | spacing | N | timesteps | sigmas (then 0) or '' | init sigma or ''
        "euler|linspace|4|999, 666, 333, 0|14.6147, 2.9183, 0.9324, 0.0292, 0|14.6147",
        "euler_a|linspace|4|999, 666, 333, 0|14.6147, 2.9183, 0.9324, 0.0292, 0|14.6147",
        "euler|leading|4|751, 501, 251, 1|4.1167, 1.6237, 0.6984, 0.0413, 0|4.2364",
        "euler_a|leading|4|751, 501, 251, 1|4.1167, 1.6237, 0.6984, 0.0413, 0|4.2364",
        "euler|trailing|4|999, 749, 499, 249|14.6147, 4.0817, 1.6129, 0.6932, 0|14.6147",
        "ddim|linspace|4|999, 666, 333, 0||1",
        "ddim|leading|4|751, 501, 251, 1||1",
        "ddim|trailing|4|999, 749, 499, 249||1",
        "dpmpp_2m|linspace|4|999, 749, 500, 250|14.6147, 4.0817, 1.6183, 0.6958, 0|1",
        "dpmpp_2m|leading|4|801, 601, 401, 201|5.1344, 2.2929, 1.1682, 0.5741, 0|1",
        "dpmpp_2m|trailing|4|999, 749, 499, 249|14.6147, 4.0817, 1.6129, 0.6932, 0|1",
        "dpmpp_2m_karras|linspace|4|999, 687, 146, 0|14.6147, 3.1686, 0.4469, 0.0292, 0|1",
        "pndm|linspace|4|999, 666, 666, 333, 0||1",
        "pndm|leading|4|751, 501, 501, 251, 1||1",
        "pndm|trailing|4|999, 749, 749, 499, 249||1",
        "lcm|leading|4|999, 759, 499, 259||1",
        "euler|linspace|20|999, 946.421, 893.842, 841.263, 788.684, 736.105, 683.526, 630.947, 578.368, 525.789, "
            + "473.211, 420.632, 368.053, 315.474, 262.895, 210.316, 157.737, 105.158, 52.579, 0|14.6147, 10.7469, "
            + "8.0815, 6.2050, 4.8557, 3.8654, 3.1238, 2.5572, 2.1157, 1.7648, 1.4806, 1.2458, 1.0481, 0.8784, 0.7297, "
            + "0.5964, 0.4736, 0.3555, 0.2322, 0.0292, 0|14.6147",
        "euler|leading|20|951, 901, 851, 801, 751, 701, 651, 601, 551, 501, 451, 401, 351, 301, 251, 201, 151, 101, "
            + "51, 1|11.0283, 8.3907, 6.5064, 5.1344, 4.1167, 3.3478, 2.7562, 2.2929, 1.9234, 1.6237, 1.3762, 1.1682, "
            + "0.9904, 0.8357, 0.6984, 0.5741, 0.4583, 0.3462, 0.2281, 0.0413, 0|11.0736",
        "euler|trailing|20|999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 499, 449, 399, 349, 299, 249, 199, 149, "
            + "99, 49|14.6147, 10.9042, 8.3028, 6.4430, 5.0878, 4.0817, 3.3211, 2.7355, 2.2765, 1.9103, 1.6129, 1.3672, "
            + "1.1606, 0.9838, 0.8299, 0.6932, 0.5693, 0.4538, 0.3417, 0.2230, 0|14.6147",
        "ddim|linspace|20|999, 946, 894, 841, 789, 736, 684, 631, 578, 526, 473, 421, 368, 315, 263, 210, 158, 105, "
            + "53, 0||1",
        "ddim|leading|20|951, 901, 851, 801, 751, 701, 651, 601, 551, 501, 451, 401, 351, 301, 251, 201, 151, 101, "
            + "51, 1||1",
        "ddim|trailing|20|999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 499, 449, 399, 349, 299, 249, 199, 149, "
            + "99, 49||1",
        "dpmpp_2m|linspace|20|999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 500, 450, 400, 350, 300, 250, 200, "
            + "150, 100, 50||1",
        "dpmpp_2m|leading|20|941, 894, 847, 800, 753, 706, 659, 612, 565, 518, 471, 424, 377, 330, 283, 236, 189, "
            + "142, 95, 48||1",
        "dpmpp_2m|trailing|20|999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 499, 449, 399, 349, 299, 249, 199, "
            + "149, 99, 49||1",
        "dpmpp_2m_karras|linspace|20|999, 962, 921, 876, 827, 772, 710, 640, 561, 474, 380, 285, 197, 123, 69, 35, 15, "
            + "6, 2, 0|14.6147, 11.7254, 9.3402, 7.3836, 5.7894, 4.4998, 3.4648, 2.6408, 1.9909, 1.4832, 1.0908, "
            + "0.7909, 0.5647, 0.3964, 0.2730, 0.1842, 0.1213, 0.0779, 0.0485, 0.0292, 0|1",
        "pndm|leading|20|951, 901, 901, 851, 801, 751, 701, 651, 601, 551, 501, 451, 401, 351, 301, 251, 201, 151, "
            + "101, 51, 1||1",
        "pndm|leading|50|981, 961, 961, 941, 921, 901, 881, 861, 841, 821, 801, 781, 761, 741, 721, 701, 681, 661, "
            + "641, 621, 601, 581, 561, 541, 521, 501, 481, 461, 441, 421, 401, 381, 361, 341, 321, 301, 281, 261, 241, "
            + "221, 201, 181, 161, 141, 121, 101, 81, 61, 41, 21, 1||1",
        "lcm|leading|20|999, 959, 899, 859, 799, 759, 699, 659, 599, 559, 499, 459, 399, 359, 299, 259, 199, 159, "
            + "99, 59||1",
    })
    void matchesDiffusers(String kind, String spacing, int steps, String timesteps, String sigmas, double init) {
        Scheduler s = SchedulerKind.fromApiName(kind).create(sd15(spacing), steps, 1.0);
        assertThat(timesteps(s)).containsExactly(list(timesteps), within(1e-3));
        if (sigmas != null && !sigmas.isEmpty()) {
            assertThat(sigmas(s)).containsExactly(list(sigmas), within(1e-4));
        }
        assertThat(s.initNoiseSigma()).isCloseTo(init, within(1e-4));
    }

    @Test
    void noiseScheduleAnchors() {
        NoiseSchedule n = sd15(null).noiseSchedule();
        assertThat(n.alphaCumprod(0)).isCloseTo(0.999150, within(1e-6));
        assertThat(n.alphaCumprod(999)).isCloseTo(0.004660, within(1e-6));
        assertThat(n.sigmaMin()).isCloseTo(0.029168, within(1e-6));
        assertThat(n.sigmaMax()).isCloseTo(14.614655, within(1e-5));
        assertThat(n.sigmaAt(749)).isCloseTo(4.0817, within(1e-4));
        assertThat(n.sigmaAt(499)).isCloseTo(1.6129, within(1e-4));
        assertThat(n.sigmaAt(249)).isCloseTo(0.6932, within(1e-4));
    }

    @Test
    void sd15FileWithoutSpacingIsLeadingForEveryScheduler() {
        // a loaded SD 1.5 pipeline carries PNDM's leading spacing and steps_offset 1 into Euler.from_config
        Scheduler euler = SchedulerKind.EULER.create(SchedulerConfig.stableDiffusion15(), 4, 1.0);
        assertThat(timesteps(euler)).containsExactly(751, 501, 251, 1);
        SchedulerConfig eulerFile = new SchedulerConfig("EulerDiscreteScheduler", 1000, 0.00085, 0.012,
                "scaled_linear", null, null, null, null, null);
        assertThat(timesteps(SchedulerKind.EULER.create(eulerFile, 4, 1.0))).containsExactly(999, 666, 333, 0);
    }

    @Test
    void imageToImageStartsWhereDiffusersDoes() {
        Scheduler euler = SchedulerKind.EULER.create(sd15("leading"), 20, 0.75);
        assertThat(euler.steps()).isEqualTo(15);
        assertThat(euler.timestep(0)).isEqualTo(701);
        assertThat(((EulerScheduler) euler).sigma(0)).isCloseTo(3.3478, within(1e-4));

        Scheduler linspace = SchedulerKind.EULER.create(sd15("linspace"), 20, 0.75);
        assertThat(linspace.timestep(0)).isCloseTo(736.105, within(1e-3));
        assertThat(((EulerScheduler) linspace).sigma(0)).isCloseTo(3.8654, within(1e-4));

        Scheduler fifty = SchedulerKind.EULER.create(sd15("leading"), 50, 0.8);
        assertThat(fifty.steps()).isEqualTo(40);
        assertThat(fifty.timestep(0)).isEqualTo(781);
        assertThat(((EulerScheduler) fifty).sigma(0)).isCloseTo(4.6917, within(1e-4));

        Scheduler turbo = SchedulerKind.EULER.create(sd15("trailing"), 2, 0.5);
        assertThat(turbo.steps()).isEqualTo(1);
        assertThat(turbo.timestep(0)).isEqualTo(499);
        assertThat(((EulerScheduler) turbo).sigma(0)).isCloseTo(1.6129, within(1e-4));

        Scheduler ddim = SchedulerKind.DDIM.create(sd15("leading"), 20, 0.75);
        assertThat(ddim.timestep(0)).isEqualTo(701);
        float[] x = {1f};
        ddim.addNoise(x, new float[] {0f});
        assertThat(x[0]).isCloseTo(0.28621f, within(1e-5f));
        float[] e = {0f};
        ddim.addNoise(e, new float[] {1f});
        assertThat(e[0]).isCloseTo(0.95817f, within(1e-5f));
    }

    @Test
    void tooFewStepsForTheStrengthIsAClearError() {
        assertThatThrownBy(() -> SchedulerKind.EULER.create(sd15(null), 4, 0.2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("num_inference_steps x strength");
        assertThatThrownBy(() -> SchedulerKind.fromApiName("k_lms"))
                .hasMessageContaining("unknown scheduler 'k_lms'").hasMessageContaining("dpmpp_2m_karras");
    }
}
