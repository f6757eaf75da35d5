package io.qwenimage.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.model.ModelBundle;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LCM-SDXL: the tiny SDXL's structure with a UNet that takes LCM's guidance embedding ({@code timestep_cond})
 * beside SDXL's {@code text_embeds}/{@code time_ids} ({@code src/test/resources/models/tiny-lcm-sdxl}), held against
 * {@code tools/tiny-sdxl/reference_lcm.py} (diffusers' LCMScheduler and SDXL conditioning, no CFG batch): the whole
 * picture within one level for text-to-image at guidance 8 (w = 7) and for image-to-image by LCM's own strength
 * rule. The reference computes the guidance embedding in float32 and the engine in double (up to 1e-4 apart; a
 * handful of pixels move by one level), hence one level rather than exact.
 */
class LcmSdxlPipelineParityTest {

    static final Path MODEL = Path.of("src/test/resources/models/tiny-lcm-sdxl");
    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());
    static final String PROMPT = "a red circle on a blue background";
    static ModelBundle model;
    static ParityFixtures fx;

    @BeforeAll
    static void open() {
        model = ModelBundle.open(MODEL, SESSIONS);
        fx = new ParityFixtures(Path.of("tools/tiny-sdxl/parity-lcm"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theFolderIsAnSdxlModelWithAGuidanceEmbedding() {
        assertThat(model.info().family()).isEqualTo("sdxl");
        assertThat(model.info().guidanceEmbedding()).isTrue();
        assertThat(model.unet().takesAddedConditioning()).isTrue();
        assertThat(model.unet().timestepCondDim()).isEqualTo(16);
    }

    @Test
    void textToImageDrawsTheReferencePicture() {
        RgbImage ours = generate("lcm_t2i", null, List.of("initial_noise", "noise_step1", "noise_step2",
                "noise_step3"));
        assertThat(PipelineRuns.maxLevelDifference(ours, expected("lcm_t2i"))).isLessThanOrEqualTo(1);
    }

    @Test
    void imageToImageByLcmsStrengthRuleDrawsTheReferencePicture() {
        RgbImage input = new RgbImage(64, 64, fx.get("lcm_i2i_lcmpipe.init_image_uint8").bytesOf());
        RgbImage ours = generate("lcm_i2i_lcmpipe", input, List.of("posterior_noise", "noise", "noise_step1",
                "noise_step2", "noise_step3"));
        assertThat(PipelineRuns.maxLevelDifference(ours, expected("lcm_i2i_lcmpipe"))).isLessThanOrEqualTo(1);
    }

    /** Runs the case with the reference's draws, in the order the pipeline draws them. */
    private static RgbImage generate(String part, RgbImage input, List<String> draws) {
        List<float[]> noise = new ArrayList<>();
        draws.forEach(d -> noise.add(fx.get(part + "." + d).floats()));
        GenerationRequest request = new GenerationRequest(PROMPT, "", 64, 64, 4, 8.0, SchedulerKind.LCM, 0, 1, input,
                0.5);
        StableDiffusionPipeline pipeline = new StableDiffusionPipeline(model, seed -> PipelineRuns.replay(noise));
        return pipeline.generate(request, ProgressListener.NONE, new CancellationToken()).images().get(0);
    }

    private static RgbImage expected(String part) {
        return new RgbImage(64, 64, fx.get(part + ".image_uint8").bytesOf());
    }
}
