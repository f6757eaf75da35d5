package io.qwenimage.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.model.FlowText;
import io.qwenimage.engine.model.ModelFamily;
import io.qwenimage.engine.model.Sd3Model;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.scheduler.SchedulerKind;
import io.qwenimage.testing.ModelFolders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SD3 family on a tiny random-weight model in optimum's layout ({@code src/test/resources/models/tiny-sd3}, built
 * by {@code tools/tiny-sd3/}), held against the PyTorch reference of diffusers' StableDiffusion3Pipeline written there
 * ({@code reference.py}: CLIP-L and CLIP-G penultimate states side by side and zero-padded, T5 after them, the two
 * pooled outputs joined, the training-table sigmas shifted, batched CFG, the VAE's shift factor): ids exactly, text
 * conditioning, the first transformer call and the final latents to 1e-4, pictures within one level of 255, for
 * guidance on and off, a negative prompt at a non-square size, T5 absent, a short T5 length and image-to-image.
 */
class Sd3PipelineParityTest {

    static final Path MODEL = Path.of("src/test/resources/models/tiny-sd3");
    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());
    static final String PROMPT = "a red circle on a blue background";
    static final String NEGATIVE = "blurry, dark, low quality";
    static Sd3Model model;
    static ParityFixtures fx;

    @BeforeAll
    static void open() {
        model = Sd3Model.open(MODEL, SESSIONS);
        fx = new ParityFixtures(Path.of("tools/tiny-sd3/parity"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theFolderOpensAsSd3WithThreeEncodersAndTheFamilysVae() {
        assertThat(model.info().pipeline()).isEqualTo(ModelFamily.STABLE_DIFFUSION_3);
        assertThat(model.info().family()).isEqualTo("sd3");
        assertThat(model.info().imageToImage()).isTrue();
        assertThat(model.t5()).isNotNull();
        assertThat(model.jointWidth()).isEqualTo(96);
        assertThat(model.vae().scalingFactor()).isEqualTo(1.5305);
        assertThat(model.vae().shiftFactor()).isEqualTo(0.0609);
    }

    @Test
    void theThreeTokenizersGiveTheReferenceIds() {
        assertThat(longs(model.clipLTokenizer().encode(PROMPT).ids())).containsExactly(fx.get("t2i_cfg7.input_ids")
                .longs());
        assertThat(longs(model.clipGTokenizer().encode(PROMPT).ids()))
                .containsExactly(fx.get("t2i_cfg7.input_ids_2").longs());
        assertThat(longs(model.t5Tokenizer().encode(PROMPT, 256).ids()))
                .containsExactly(fx.get("t2i_cfg7.input_ids_3").longs());
        assertThat(longs(model.t5Tokenizer().encode(NEGATIVE, 256).ids()))
                .containsExactly(fx.get("t2i_cfg5_neg_96x64.negative_input_ids_3").longs());
    }

    @Test
    void theTextConditioningIsClipPaddedThenT5AndBothPooledVectors() throws Exception {
        Sd3Pipeline pipeline = new Sd3Pipeline(model);
        for (String part : List.of("t2i_cfg7", "t2i_t5len77")) {
            int length = part.equals("t2i_t5len77") ? 77 : 256;
            FlowBatch.FlowPrompt positive = pipeline.conditioning(PROMPT, length);
            assertThat(positive.tokens()).isEqualTo(77 + length);
            PipelineRuns.assertClose(positive.states(), fx.get(part + ".prompt_embeds").floats(), 1e-4, part);
            PipelineRuns.assertClose(positive.pooled(), fx.get(part + ".pooled_prompt_embeds").floats(), 1e-4, part);
            FlowBatch.FlowPrompt empty = pipeline.conditioning("", length);
            PipelineRuns.assertClose(empty.states(), fx.get(part + ".negative_prompt_embeds").floats(), 1e-4,
                    part + " negative (\"\")");
        }
    }

    @Test
    void theFirstTransformerCallMatches() throws Exception {
        float[] input = fx.get("t2i_cfg7.latent_model_input_step1").floats();
        // the reference's CFG batch is [negative, positive]
        float[] states = concat(fx.get("t2i_cfg7.negative_prompt_embeds").floats(),
                fx.get("t2i_cfg7.prompt_embeds").floats());
        float[] pooled = concat(fx.get("t2i_cfg7.negative_pooled_prompt_embeds").floats(),
                fx.get("t2i_cfg7.pooled_prompt_embeds").floats());
        double t = fx.get("t2i_cfg7.timestep_step1").floats()[0];
        try (var run = new ai.onnxruntime.OrtSession.RunOptions()) {
            float[] out = model.transformer().predict(2, input, 8, 8, new FlowText(states, 333, 96, pooled, 72), t,
                    run);
            PipelineRuns.assertClose(out, fx.get("t2i_cfg7.transformer_out_step1").floats(), 1e-4, "step 1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"t2i_cfg7", "t2i_cfg1", "t2i_cfg5_neg_96x64", "t2i_t5len77", "i2i_s06"})
    void theWholePipelineDrawsTheReferencePictureAndLatents(String part) {
        assertReference(model, part);
    }

    @Test
    void withoutT5ItsPartOfTheTextIsZerosAsDiffusersDoes(@TempDir Path dir) throws Exception {
        Path copy = ModelFolders.copy(MODEL, dir.resolve("sd3-no-t5"));
        deleteTree(copy.resolve("text_encoder_3"));
        deleteTree(copy.resolve("tokenizer_3"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode index = (ObjectNode) json.readTree(copy.resolve("model_index.json").toFile());
        index.set("text_encoder_3", json.createArrayNode().addNull().addNull());
        index.set("tokenizer_3", json.createArrayNode().addNull().addNull());
        json.writeValue(copy.resolve("model_index.json").toFile(), index);
        try (Sd3Model noT5 = Sd3Model.open(copy, SESSIONS)) {
            assertThat(noT5.t5()).isNull();
            assertThat(noT5.info().family()).isEqualTo("sd3 (without T5)");
            assertReference(noT5, "t2i_no_t5");
        }
    }

    private static void assertReference(Sd3Model sd3, String part) {
        boolean img2img = part.startsWith("i2i");
        boolean wide = part.endsWith("96x64");
        int width = wide ? 96 : 64;
        RgbImage input = img2img ? new RgbImage(64, 64, fx.get(part + ".init_image_uint8").bytesOf()) : null;
        double guidance = part.equals("t2i_cfg1") ? 1.0 : wide ? 5.0 : 7.0;
        GenerationRequest request = new GenerationRequest(PROMPT, wide ? NEGATIVE : "", width, 64, 4, guidance,
                SchedulerKind.FLOW_MATCH_EULER, 0, 1, input, 0.6, part.equals("t2i_t5len77") ? 77 : 0);
        // the reference draws the VAE's posterior noise, then the noise added at the start (or the initial noise)
        List<float[]> draws = img2img ? List.of(fx.get(part + ".posterior_noise").floats(), fx.get(part + ".noise")
                .floats()) : List.of(fx.get(part + ".initial_noise").floats());
        List<float[]> finals = new ArrayList<>();
        Sd3Pipeline pipeline = new Sd3Pipeline(sd3, seed -> PipelineRuns.replay(draws),
                (image, latents) -> finals.add(latents.clone()));
        RgbImage ours = pipeline.generate(request, ProgressListener.NONE, new CancellationToken()).images().get(0);
        PipelineRuns.assertClose(finals.get(0), fx.get(part + ".latents_final").floats(), 1e-4, part + " latents");
        RgbImage expected = new RgbImage(width, 64, fx.get(part + ".image_uint8").bytesOf());
        assertThat(PipelineRuns.maxLevelDifference(ours, expected)).as(part).isLessThanOrEqualTo(1);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static long[] longs(int[] ids) {
        return Arrays.stream(ids).asLongStream().toArray();
    }
}
