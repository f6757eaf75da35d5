package io.qwenimage.engine.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qwenimage.engine.ModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: keys of scheduler_config.json that change results are honoured, or make the schedulers they concern
 * unavailable for the model with a reason that names the key (the request gets 422, /info does not offer them);
 * combinations diffusers refuses are refused here too.
 */
class SchedulerAvailabilityTest {

    static SchedulerConfig file(Path dir, String json) throws IOException {
        Path f = dir.resolve("scheduler_config.json");
        Files.writeString(f, json);
        return SchedulerConfig.read(f);
    }

    static final String SD15 = "\"_class_name\": \"PNDMScheduler\", \"beta_start\": 0.00085, \"beta_end\": 0.012, "
            + "\"beta_schedule\": \"scaled_linear\", \"steps_offset\": 1, \"set_alpha_to_one\": false";

    @Test
    void pndmRefusesSamplePredictionAsDiffusersDoes(@TempDir Path dir) throws IOException {
        SchedulerConfig c = file(dir, "{" + SD15 + ", \"skip_prk_steps\": true, \"prediction_type\": \"sample\"}");
        assertThat(SchedulerKind.availableFor(c)).doesNotContain(SchedulerKind.PNDM).contains(SchedulerKind.EULER,
                SchedulerKind.DDIM, SchedulerKind.DPMPP_2M, SchedulerKind.LCM);
        assertThatThrownBy(() -> SchedulerKind.PNDM.create(c, 20, 1.0)).isInstanceOf(ScheduleRefusedException.class)
                .hasMessageContaining("prediction_type 'sample'")
                .satisfies(e -> assertThat(((ScheduleRefusedException) e).field()).isEqualTo("scheduler"));
    }

    @Test
    void pndmWithoutSkipPrkStepsIsNotOfferedBecauseItsWarmUpIsNotImplemented(@TempDir Path dir)
            throws IOException {
        // PNDMScheduler's default is skip_prk_steps false: a file that does not say true asks for PRK steps
        SchedulerConfig c = file(dir, "{" + SD15 + "}");
        assertThat(c.unavailable(SchedulerKind.PNDM)).contains("skip_prk_steps");
        assertThat(file(dir, "{" + SD15 + ", \"skip_prk_steps\": true}").unavailable(SchedulerKind.PNDM)).isNull();
    }

    @Test
    void keysTheEngineCannotDoRuleOutTheSchedulersThatReadThem(@TempDir Path dir) throws IOException {
        SchedulerConfig thresholding = file(dir, "{\"_class_name\": \"DDIMScheduler\", \"thresholding\": true}");
        assertThat(SchedulerKind.availableFor(thresholding)).containsExactly(SchedulerKind.EULER,
                SchedulerKind.EULER_ANCESTRAL);   // and pndm: no skip_prk_steps in a DDIM file
        assertThat(thresholding.unavailable(SchedulerKind.DDIM)).contains("thresholding");

        SchedulerConfig karras = file(dir, "{\"_class_name\": \"DPMSolverMultistepScheduler\", "
                + "\"use_karras_sigmas\": true}");
        assertThat(karras.unavailable(SchedulerKind.DPMPP_2M)).contains("use_karras_sigmas")
                .contains("dpmpp_2m_karras");
        assertThat(karras.unavailable(SchedulerKind.EULER)).contains("use_karras_sigmas");
        assertThat(karras.unavailable(SchedulerKind.DPMPP_2M_KARRAS)).isNull();

        SchedulerConfig sigmaMin = file(dir, "{\"_class_name\": \"EulerDiscreteScheduler\", "
                + "\"final_sigmas_type\": \"sigma_min\"}");
        assertThat(sigmaMin.unavailable(SchedulerKind.EULER)).contains("final_sigmas_type 'sigma_min'");
        assertThat(sigmaMin.unavailable(SchedulerKind.DPMPP_2M_KARRAS)).contains("final_sigmas_type");
        assertThat(sigmaMin.unavailable(SchedulerKind.DDIM)).isNull();
    }

    @Test
    void malformedLcmKeysAreRefusedAtLoadNamingTheKey(@TempDir Path dir) {
        assertThatThrownBy(() -> file(dir, "{\"_class_name\": \"LCMScheduler\", \"original_inference_steps\": 0}"))
                .isInstanceOf(ModelException.class).hasMessageContaining("original_inference_steps");
        assertThatThrownBy(() -> file(dir, "{\"_class_name\": \"LCMScheduler\", \"timestep_scaling\": -1}"))
                .isInstanceOf(ModelException.class).hasMessageContaining("timestep_scaling");
    }

    @Test
    void lcmUsesStrengthOnceAndRunsAllItsSteps() {
        SchedulerConfig c = SchedulerReferenceTest.sd15("leading");
        Scheduler s = SchedulerKind.LCM.create(c, 4, 0.6);
        assertThat(IntStream.range(0, s.steps()).mapToDouble(s::timestep).toArray())
                .containsExactly(599, 459, 299, 159);
        float[] x = {1f};
        s.addNoise(x, new float[] {0f});
        assertThat((double) x[0]).isCloseTo(0.4022, org.assertj.core.api.Assertions.within(1e-4));
        assertThat(SchedulerKind.LCM.create(c, 20, 0.6).steps()).isEqualTo(20);
        assertThat(SchedulerKind.LCM.create(c, 20, 0.6).timestep(0)).isEqualTo(599);
    }

    @Test
    void lcmRefusesWhatDiffusersRefuses() {
        SchedulerConfig c = SchedulerReferenceTest.sd15("leading");
        assertThatThrownBy(() -> SchedulerKind.LCM.create(c, 50, 0.6)).isInstanceOf(ScheduleRefusedException.class)
                .hasMessageContaining("50 x 0.6 = 30 timesteps").hasMessageContaining("num_inference_steps (50)");
        assertThatThrownBy(() -> SchedulerKind.LCM.create(c, 51, 1.0)).isInstanceOf(ScheduleRefusedException.class)
                .hasMessageContaining("original_inference_steps (50)")
                .satisfies(e -> assertThat(((ScheduleRefusedException) e).field()).isEqualTo("num_inference_steps"));
    }

    @Test
    void lcmReadsOriginalInferenceStepsAndTimestepScaling(@TempDir Path dir) throws IOException {
        SchedulerConfig c = file(dir, "{\"_class_name\": \"LCMScheduler\", \"beta_start\": 0.00085, \"beta_end\": "
                + "0.012, \"beta_schedule\": \"scaled_linear\", \"original_inference_steps\": 25, "
                + "\"timestep_scaling\": 1.0}");
        Scheduler s = SchedulerKind.LCM.create(c, 4, 1.0);
        // k = 1000 // 25 = 40; origin (25 - i) * 40 - 1; indices floor(linspace(0, 25, 4, endpoint=False))
        assertThat(IntStream.range(0, s.steps()).mapToDouble(s::timestep).toArray())
                .containsExactly(999, 759, 519, 279);
        assertThat(c.timestepScaling()).isEqualTo(1.0);
    }

    @Test
    void ddimClipsThePredictedSampleWhenTheFileAsks(@TempDir Path dir) throws IOException {
        SchedulerConfig clipped = file(dir, "{\"_class_name\": \"DDIMScheduler\", \"beta_start\": 0.00085, "
                + "\"beta_end\": 0.012, \"beta_schedule\": \"scaled_linear\", \"prediction_type\": \"sample\"}");
        assertThat(clipped.clipSampleFor(SchedulerKind.DDIM)).as("DDIMScheduler's default").isTrue();
        Scheduler s = SchedulerKind.DDIM.create(clipped, 10, 1.0);
        float[] x = {0.5f, -0.5f};
        for (int i = 0; i < s.steps(); i++) {
            s.step(i, new float[] {3f, -3f}, x, null);     // the model claims a clean sample far outside [-1, 1]
        }
        assertThat(x[0]).isBetween(0.99f, 1.001f);
        assertThat(x[1]).isBetween(-1.001f, -0.99f);
        // the SD 1.5 file says clip_sample false, and that carries into DDIM
        assertThat(SchedulerConfig.stableDiffusion15().clipSampleFor(SchedulerKind.DDIM)).isFalse();
    }
}
