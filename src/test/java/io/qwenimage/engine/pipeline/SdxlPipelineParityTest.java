package io.qwenimage.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qwenimage.engine.BatchEntry;
import io.qwenimage.engine.BatchResults;
import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.GenerationResult;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.model.Embeddings;
import io.qwenimage.engine.model.ModelBundle;
import io.qwenimage.engine.model.ModelFamily;
import io.qwenimage.engine.model.TextEncoderStage;
import io.qwenimage.engine.model.UnetCall;
import io.qwenimage.engine.model.UnetConditioning;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.onnx.Workspace;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SDXL family on a tiny random-weight model in optimum's layout ({@code src/test/resources/models/tiny-sdxl},
 * built by {@code tools/tiny-sdxl/}), held against the PyTorch reference of diffusers' SDXL sampling loop written
 * there ({@code reference.py}: both encoders' penultimate states side by side, the second's pooled embedding, time
 * ids, zeros for a prompt-less negative, Euler discrete): tokenizer ids exactly, text conditioning and the first
 * UNet call to 1e-4, and whole pictures, text-to-image with guidance on and off and image-to-image, within one level
 * of 255, the reference's noise injected.
 */
class SdxlPipelineParityTest {

    static final Path MODEL = Path.of("src/test/resources/models/tiny-sdxl");
    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());
    static final String PROMPT = "a red circle on a blue background";
    static ModelBundle model;
    static ParityFixtures fx;

    @BeforeAll
    static void open() {
        model = ModelBundle.open(MODEL, SESSIONS);
        fx = new ParityFixtures(Path.of("tools/tiny-sdxl/parity"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theFolderOpensAsSdxlWithItsTwoEncodersAndAddedConditioning() {
        assertThat(model.info().pipeline()).isEqualTo(ModelFamily.STABLE_DIFFUSION_XL);
        assertThat(model.info().family()).isEqualTo("sdxl");
        assertThat(model.unet().takesAddedConditioning()).isTrue();
        assertThat(model.textEncoder2().servesSdxl()).isTrue();
        assertThat(model.forceZerosForEmptyPrompt()).isTrue();
        assertThat(ModelFamily.STABLE_DIFFUSION_XL.sizeMultiple()).isEqualTo(8);
    }

    @Test
    void bothTokenizersGiveTheReferenceIdsTheSecondPaddingWithZero() {
        assertThat(toLongs(model.tokenizer().encode(PROMPT).ids())).containsExactly(fx.get("t2i_cfg5.input_ids").longs());
        assertThat(toLongs(model.tokenizer2().encode(PROMPT).ids()))
                .containsExactly(fx.get("t2i_cfg5.input_ids_2").longs());
        int[] empty = model.tokenizer2().encode("").ids();
        assertThat(empty[empty.length - 1]).as("tokenizer_2 pads with id 0").isZero();
    }

    @Test
    void theTextConditioningIsBothPenultimateStatesSideBySideAndTheSecondsPooledEmbedding() throws Exception {
        int[][] ids1 = {model.tokenizer().encode(PROMPT).ids()};
        int[][] ids2 = {model.tokenizer2().encode(PROMPT).ids()};
        TextEncoderStage.PooledEncoding first = model.textEncoder().encodePooled(ids1);
        TextEncoderStage.PooledEncoding second = model.textEncoder2().encodePooled(ids2);
        Embeddings joined = first.hidden().beside(second.hidden());
        PipelineRuns.assertClose(joined.data(), fx.get("t2i_cfg5.prompt_embeds").floats(), 1e-4, "prompt_embeds");
        PipelineRuns.assertClose(second.pooled(), fx.get("t2i_cfg5.pooled_prompt_embeds").floats(), 1e-4, "pooled");
    }

    @Test
    void theFirstUnetCallWithTextEmbedsAndTimeIdsMatches() throws Exception {
        float[] negative = fx.get("t2i_cfg5.negative_prompt_embeds").floats();
        float[] positive = fx.get("t2i_cfg5.prompt_embeds").floats();
        float[] context = concat(negative, positive);
        float[] pooled = concat(fx.get("t2i_cfg5.negative_pooled_prompt_embeds").floats(),
                fx.get("t2i_cfg5.pooled_prompt_embeds").floats());
        float[] input = fx.get("t2i_cfg5.latent_model_input_step1").floats();
        double timestep = fx.get("t2i_cfg5.timesteps").floats()[0];
        UnetConditioning conditioning = new UnetConditioning(new Embeddings(context, 2, 77, 80), null, pooled, 40,
                fx.get("t2i_cfg5.add_time_ids").floats());
        try (UnetCall unet = model.unet().bind(Workspace.ofCurrentThread(), 2, 8, 8, conditioning)) {
            // the reference's input is already scaled and duplicated: one row given, duplicated by the call
            float[] out = unet.predict(Arrays.copyOf(input, 256), 1f, true, timestep, null);
            PipelineRuns.assertClose(out, fx.get("t2i_cfg5.unet_out_step1").floats(), 1e-4, "UNet output at step 1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"t2i_cfg5", "t2i_cfg1", "i2i_s05"})
    void theWholePipelineDrawsTheReferencePicture(String part) {
        boolean img2img = part.startsWith("i2i");
        RgbImage input = img2img ? new RgbImage(64, 64, fx.get(part + ".init_image_uint8").bytesOf()) : null;
        double guidance = part.equals("t2i_cfg1") ? 1.0 : 5.0;
        GenerationRequest request = new GenerationRequest(PROMPT, "", 64, 64, 4, guidance, SchedulerKind.EULER, 0,
                1, input, 0.5);
        // the reference draws the VAE's posterior noise, then the noise added at the start (or the initial noise)
        List<float[]> draws = img2img ? List.of(fx.get(part + ".posterior_noise").floats(), fx.get(part + ".noise")
                .floats()) : List.of(fx.get(part + ".initial_noise").floats());
        StableDiffusionPipeline pipeline = new StableDiffusionPipeline(model, seed -> PipelineRuns.replay(draws));
        RgbImage ours = pipeline.generate(request, ProgressListener.NONE, new CancellationToken()).images().get(0);
        RgbImage expected = new RgbImage(64, 64, fx.get(part + ".image_uint8").bytesOf());
        assertThat(PipelineRuns.maxLevelDifference(ours, expected)).as(part).isLessThanOrEqualTo(1);
    }

    @Test
    void batchedWithAnotherPromptEachEntryGetsThePictureItGetsAlone() {
        List<float[]> draws = List.of(fx.get("t2i_cfg5.initial_noise").floats());
        StableDiffusionPipeline pipeline = new StableDiffusionPipeline(model, seed -> PipelineRuns.replay(draws));
        GenerationRequest reference = new GenerationRequest(PROMPT, "", 64, 64, 4, 5.0, SchedulerKind.EULER, 0, 1,
                null, 0.5);
        GenerationRequest other = new GenerationRequest("a green square", "blurry", 64, 64, 4, 5.0,
                SchedulerKind.EULER, 1, 1, null, 0.5);
        RgbImage alone = pipeline.generate(other, ProgressListener.NONE, new CancellationToken()).images().get(0);
        RgbImage[] batched = PipelineRuns.together(pipeline, List.of(reference, other));
        RgbImage expected = new RgbImage(64, 64, fx.get("t2i_cfg5.image_uint8").bytesOf());
        assertThat(PipelineRuns.maxLevelDifference(batched[0], expected)).isLessThanOrEqualTo(1);
        assertThat(PipelineRuns.maxLevelDifference(batched[1], alone)).isZero();
        assertThat(PipelineRuns.maxLevelDifference(batched[1], expected)).as("another prompt")
                .isGreaterThan(1);
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static long[] toLongs(int[] ids) {
        return Arrays.stream(ids).asLongStream().toArray();
    }
}
