package io.qwenimage.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.model.FlowText;
import io.qwenimage.engine.model.FluxModel;
import io.qwenimage.engine.model.ModelFamily;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The FLUX.1 family on tiny random-weight models in optimum's layout ({@code src/test/resources/models/tiny-flux-dev}
 * with the guidance input, {@code tiny-flux-schnell} without; built by {@code tools/tiny-flux/}), held against the
 * PyTorch reference of diffusers' FluxPipeline / FluxImg2ImgPipeline written there ({@code flux_reference.py}: CLIP's
 * pooled output, T5 padded to max_sequence_length, packed latents with their ids, dynamic mu for dev and none for
 * schnell, the distilled guidance, true CFG, the VAE's shift factor): ids exactly, conditioning, the first transformer
 * call and the final latents to 1e-4, pictures within one level of 255.
 */
class FluxPipelineParityTest {

    static final Path DEV = Path.of("src/test/resources/models/tiny-flux-dev");
    static final Path SCHNELL = Path.of("src/test/resources/models/tiny-flux-schnell");
    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());
    static final String PROMPT = "a red circle on a blue background";
    static final String NEGATIVE = "blurry, low quality";
    static FluxModel dev;
    static FluxModel schnell;
    static ParityFixtures devFx;
    static ParityFixtures schnellFx;

    @BeforeAll
    static void open() {
        dev = FluxModel.open(DEV, SESSIONS);
        schnell = FluxModel.open(SCHNELL, SESSIONS);
        devFx = new ParityFixtures(Path.of("tools/tiny-flux/parity-dev"));
        schnellFx = new ParityFixtures(Path.of("tools/tiny-flux/parity-schnell"));
    }

    @AfterAll
    static void close() {
        dev.close();
        schnell.close();
    }

    @Test
    void devTakesGuidanceAndSchnellDoesNot() {
        assertThat(dev.info().pipeline()).isEqualTo(ModelFamily.FLUX);
        assertThat(dev.info().family()).isEqualTo("flux.1-dev");
        assertThat(dev.transformer().takesGuidance()).isTrue();
        assertThat(schnell.info().family()).isEqualTo("flux.1-schnell");
        assertThat(schnell.transformer().takesGuidance()).isFalse();
        assertThat(dev.vae().scalingFactor()).isEqualTo(0.3611);
        assertThat(dev.vae().shiftFactor()).isEqualTo(0.1159);
        assertThat(dev.schedulerConfig().flow().useDynamicShifting()).isTrue();
        assertThat(schnell.schedulerConfig().flow().useDynamicShifting()).isFalse();
    }

    @Test
    void bothTokenizersGiveTheReferenceIds() {
        assertThat(Sd3PipelineParityTest.longs(dev.clipTokenizer().encode(PROMPT).ids()))
                .containsExactly(devFx.get("t2i_g35.input_ids").longs());
        assertThat(Sd3PipelineParityTest.longs(dev.t5Tokenizer().encode(PROMPT, 512).ids()))
                .containsExactly(devFx.get("t2i_g35.input_ids_2").longs());
        assertThat(Sd3PipelineParityTest.longs(dev.t5Tokenizer().encode(NEGATIVE, 512).ids()))
                .containsExactly(devFx.get("t2i_truecfg4.negative_input_ids_2").longs());
        assertThat(Sd3PipelineParityTest.longs(schnell.t5Tokenizer().encode(PROMPT, 256).ids()))
                .containsExactly(schnellFx.get("t2i.input_ids_2").longs());
    }

    @Test
    void theConditioningIsT5sStatesAndClipsPooledVector() throws Exception {
        FluxPipeline pipeline = new FluxPipeline(dev);
        FlowBatch.FlowPrompt s = pipeline.conditioning(PROMPT, 512);
        assertThat(s.tokens()).isEqualTo(512);
        PipelineRuns.assertClose(s.states(), devFx.get("t2i_g35.prompt_embeds").floats(), 1e-4, "prompt_embeds");
        PipelineRuns.assertClose(s.pooled(), devFx.get("t2i_g35.pooled_prompt_embeds").floats(), 1e-4, "pooled");
        FlowBatch.FlowPrompt n = pipeline.conditioning(NEGATIVE, 512);
        PipelineRuns.assertClose(n.states(), devFx.get("t2i_truecfg4.negative_prompt_embeds").floats(), 1e-4,
                "negative prompt_embeds");
    }

    @Test
    void theFirstTransformerCallWithIdsAndGuidanceMatches() throws Exception {
        double[] imageIds = doubles(devFx.get("t2i_g35_96x64.img_ids").longs());
        FlowText text = new FlowText(devFx.get("t2i_g35_96x64.prompt_embeds").floats(), 512, 96,
                devFx.get("t2i_g35_96x64.pooled_prompt_embeds").floats(), 32);
        double t = devFx.get("t2i_g35_96x64.timestep_step1").floats()[0];
        double[] guidance = {devFx.get("t2i_g35_96x64.guidance").floats()[0]};
        try (var run = new ai.onnxruntime.OrtSession.RunOptions()) {
            float[] out = dev.transformer().predict(1, devFx.get("t2i_g35_96x64.transformer_in_step1").floats(), 24,
                    text, t, guidance, imageIds, run);
            PipelineRuns.assertClose(out, devFx.get("t2i_g35_96x64.transformer_out_step1").floats(), 1e-4,
                    "step 1 at 96x64");
        }
    }

    @ParameterizedTest
    @CsvSource({"dev, t2i_g35", "dev, t2i_g35_96x64", "dev, t2i_truecfg4", "dev, t2i_g35_msl256", "dev, i2i_s06",
        "schnell, t2i", "schnell, i2i_s075"})
    void theWholePipelineDrawsTheReferencePictureAndLatents(String variant, String part) {
        boolean isDev = variant.equals("dev");
        FluxModel model = isDev ? dev : schnell;
        ParityFixtures fx = isDev ? devFx : schnellFx;
        boolean img2img = part.startsWith("i2i");
        int width = part.endsWith("96x64") ? 96 : 64;
        RgbImage input = img2img ? new RgbImage(64, 64, fx.get(part + ".init_image_uint8").bytesOf()) : null;
        boolean trueCfg = part.equals("t2i_truecfg4");
        int length = !isDev || part.endsWith("msl256") ? 256 : 0;
        GenerationRequest request = new GenerationRequest(PROMPT, trueCfg ? NEGATIVE : "", width, 64, 4,
                isDev ? 3.5 : 0.0, SchedulerKind.FLOW_MATCH_EULER, 0, 1, input, isDev ? 0.6 : 0.75, length)
                .withTrueCfgScale(trueCfg ? 4.0 : 1.0);
        // the reference draws the VAE's posterior noise, then the noise added at the start (or the initial noise)
        List<float[]> draws = img2img ? List.of(fx.get(part + ".posterior_noise").floats(), fx.get(part + ".noise")
                .floats()) : List.of(fx.get(part + ".initial_noise").floats());
        List<float[]> finals = new ArrayList<>();
        FluxPipeline pipeline = new FluxPipeline(model, seed -> PipelineRuns.replay(draws),
                (image, latents) -> finals.add(latents.clone()));
        RgbImage ours = pipeline.generate(request, ProgressListener.NONE, new CancellationToken()).images().get(0);
        PipelineRuns.assertClose(finals.get(0), fx.get(part + ".latents_final").floats(), 1e-4, part + " latents");
        RgbImage expected = new RgbImage(width, 64, fx.get(part + ".image_uint8").bytesOf());
        assertThat(PipelineRuns.maxLevelDifference(ours, expected)).as(part).isLessThanOrEqualTo(1);
    }

    @Test
    void batchedWithAnotherPromptEachEntryGetsThePictureItGetsAlone() {
        List<float[]> draws = List.of(devFx.get("t2i_g35.initial_noise").floats());
        FluxPipeline pipeline = new FluxPipeline(dev, seed -> PipelineRuns.replay(draws), FlowBatch.LatentProbe.NONE);
        GenerationRequest reference = new GenerationRequest(PROMPT, "", 64, 64, 4, 3.5,
                SchedulerKind.FLOW_MATCH_EULER, 0, 1, null, 0.6);
        GenerationRequest other = new GenerationRequest("a green square", "", 64, 64, 4, 2.0,
                SchedulerKind.FLOW_MATCH_EULER, 1, 1, null, 0.6);
        RgbImage alone = pipeline.generate(other, ProgressListener.NONE, new CancellationToken()).images().get(0);
        RgbImage[] batched = PipelineRuns.together(pipeline, List.of(reference, other));
        RgbImage expected = new RgbImage(64, 64, devFx.get("t2i_g35.image_uint8").bytesOf());
        assertThat(PipelineRuns.maxLevelDifference(batched[0], expected)).isLessThanOrEqualTo(1);
        assertThat(PipelineRuns.maxLevelDifference(batched[1], alone)).isLessThanOrEqualTo(1);
        assertThat(PipelineRuns.maxLevelDifference(batched[1], expected)).as("another prompt").isGreaterThan(1);
    }

    private static double[] doubles(long[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
