package io.qwenimage.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.engine.BatchEntry;
import io.qwenimage.engine.BatchResults;
import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.DemoPictureJudge;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.GenerationResult;
import io.qwenimage.engine.ImageTensors;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.model.QwenImageModel;
import io.qwenimage.engine.model.QwenTextEncoderStage;
import io.qwenimage.engine.model.QwenTransformerStage;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.qwen.LatentPacking;
import io.qwenimage.engine.qwen.QwenRotaryTables;
import io.qwenimage.engine.qwen.TrueCfg;
import io.qwenimage.engine.scheduler.SchedulerKind;
import io.qwenimage.engine.tokenizer.QwenPrompt;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java Qwen-Image pipeline against the PyTorch reference sampler on the Qwen demo model (fixtures from
 * tools/demo-qwen/export_onnx.py; settings in parity/run.json: two prompts, English and Chinese, 64x64, 8 steps,
 * true CFG 4 with the negative prompt " ", the reference's seed-42 noise). Stage by stage (text states after the
 * template prefix, the first guided velocity and Euler step, the decode of the final latents) and end to end
 * (the pictures).
 */
class QwenImagePipelineParityTest {

    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());
    static QwenImageModel model;
    static ParityFixtures fx;
    static JsonNode run;

    @BeforeAll
    static void open() throws IOException {
        model = QwenImageModel.open(ParityFixtures.QWEN_MODEL, SESSIONS);
        fx = new ParityFixtures();
        run = new ObjectMapper().readTree(ParityFixtures.QWEN_DIR.resolve("run.json").toFile());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static List<String> prompts() {
        List<String> out = new ArrayList<>();
        run.path("prompts").forEach(p -> out.add(p.asText()));
        return out;
    }

    @Test
    void promptStatesAreTheEncoderOutputsAfterTheTemplatePrefix() throws Exception {
        float[] expected = fx.get("pipeline.prompt_embeds").floats();
        long[] expectedMask = fx.get("pipeline.prompt_embeds_mask").longs();
        long[] expectedIds = fx.get("text_encoder.input_ids").longs();
        int tokens = (int) fx.get("pipeline.prompt_embeds").shape()[1];
        int idLength = (int) fx.get("text_encoder.input_ids").shape()[1];
        List<String> prompts = prompts();
        for (int b = 0; b < prompts.size(); b++) {
            QwenPrompt p = model.tokenizer().encode(prompts.get(b));
            assertThat(p.ids()).containsExactly(Arrays.copyOfRange(expectedIds, b * idLength, b * idLength
                    + p.ids().length));
            int kept = (int) Arrays.stream(expectedMask, b * tokens, (b + 1) * tokens).sum();
            assertThat(p.embeddingLength()).isEqualTo(kept);
            try (OrtSession.RunOptions options = new OrtSession.RunOptions()) {
                QwenTextEncoderStage.Hidden h = model.textEncoder().encode(p.ids(), p.attentionMask(), 1,
                        p.ids().length, options);
                float[] ours = Arrays.copyOfRange(h.values(), 34 * 64, (34 + kept) * 64);
                PipelineRuns.assertClose(ours, Arrays.copyOfRange(expected, b * tokens * 64, (b * tokens + kept) * 64), 1e-4,
                        "prompt states of " + prompts.get(b));
            }
        }
    }

    @Test
    void theFirstGuidedVelocityAndEulerStepMatch() throws Exception {
        float[] latents = fx.get("pipeline.initial_latents").floats();
        float[] noise = fx.get("pipeline.initial_noise").floats();
        for (int b = 0; b < 2; b++) {
            float[] packed = LatentPacking.pack(Arrays.copyOfRange(noise, b * 1024, (b + 1) * 1024), 16, 8, 8);
            PipelineRuns.assertClose(packed, Arrays.copyOfRange(latents, b * 1024, (b + 1) * 1024), 0, "packed noise");
        }
        float[] sigmas = fx.get("pipeline.sigmas").floats();
        double timestep = (float) (sigmas[0] * 1000f) / 1000f;
        QwenRotaryTables.Table image = model.rotary().image(4, 4);
        float[] cond = predict(latents, "pipeline.prompt_embeds", timestep, image);
        float[] negative = predict(latents, "pipeline.negative_prompt_embeds", timestep, image);
        TrueCfg.combine(cond, negative, run.path("true_cfg_scale").asDouble(), 64);
        PipelineRuns.assertClose(cond, fx.get("pipeline.noise_pred_step1").floats(), 1e-4, "guided velocity at step 1");
        for (int k = 0; k < latents.length; k++) {
            latents[k] = (float) (latents[k] + ((double) sigmas[1] - sigmas[0]) * cond[k]);
        }
        PipelineRuns.assertClose(latents, fx.get("pipeline.latents_step1").floats(), 1e-4, "latents after step 1");
    }

    private static float[] predict(float[] latents, String text, double timestep, QwenRotaryTables.Table image)
            throws Exception {
        ParityFixtures.Tensor states = fx.get(text);
        int tokens = (int) states.shape()[1];
        try (OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            return model.transformer().predict(2, latents, 16, new QwenTransformerStage.Text(states.floats(),
                    fx.get(text + "_mask").longs(), tokens, 64, model.rotary().text(tokens, 4, 4)), timestep, image,
                    options);
        }
    }

    @Test
    void theFinalLatentsDecodeToTheReferencePixels() throws Exception {
        float[] latents = fx.get("pipeline.latents_final").floats();
        float[] image = fx.get("pipeline.image").floats();
        for (int b = 0; b < 2; b++) {
            float[] z = LatentPacking.unpack(Arrays.copyOfRange(latents, b * 1024, (b + 1) * 1024), 16, 8, 8);
            try (OrtSession.RunOptions options = new OrtSession.RunOptions()) {
                float[] pixels = model.vae().decode(z, 8, 8, options);
                PipelineRuns.assertClose(pixels, Arrays.copyOfRange(image, b * 3 * 4096, (b + 1) * 3 * 4096), 1e-4,
                        "decoded picture " + b);
            }
        }
    }

    @Test
    void theWholePipelineDrawsTheReferencePicturesAloneAndBatched() {
        QwenImagePipeline pipeline = new QwenImagePipeline(model, QwenImagePipelineParityTest::referenceNoise);
        List<String> prompts = prompts();
        List<GenerationRequest> requests = new ArrayList<>();
        for (int b = 0; b < prompts.size(); b++) {
            requests.add(GenerationRequest.textToImage(prompts.get(b), run.path("negative_prompt").asText(),
                    run.path("width").asInt(), run.path("height").asInt(), run.path("steps").asInt(),
                    run.path("true_cfg_scale").asDouble(), SchedulerKind.FLOW_MATCH_EULER, b, 1));
        }
        RgbImage[] batched = PipelineRuns.together(pipeline, requests);
        float[] reference = fx.get("pipeline.image").floats();
        for (int b = 0; b < requests.size(); b++) {
            RgbImage expected = ImageTensors.toImage(Arrays.copyOfRange(reference, b * 3 * 4096,
                    (b + 1) * 3 * 4096), 64, 64, 64, 64);
            RgbImage alone = pipeline.generate(requests.get(b), ProgressListener.NONE, new CancellationToken())
                    .images().get(0);
            assertThat(PipelineRuns.maxLevelDifference(alone, expected)).as("alone, %s", prompts.get(b)).isLessThanOrEqualTo(1);
            assertThat(PipelineRuns.maxLevelDifference(batched[b], expected)).as("batched, %s", prompts.get(b))
                    .isLessThanOrEqualTo(1);
            JsonNode judged = run.path("judged").get(b);
            DemoPictureJudge.Verdict v = DemoPictureJudge.judge(alone);
            assertThat(List.of(v.foreground(), v.background(), v.shape())).as("judged %s", prompts.get(b))
                    .containsExactly(judged.get(0).asText(), judged.get(1).asText(), judged.get(2).asText());
        }
    }

    /** The reference sampler's seed-42 noise: image b of run.json is given seed b. */
    private static io.qwenimage.engine.scheduler.NoiseSource referenceNoise(long seed) {
        float[] all = fx.get("pipeline.initial_noise").floats();
        float[] plane = Arrays.copyOfRange(all, (int) seed * 1024, (int) (seed + 1) * 1024);
        return out -> System.arraycopy(plane, 0, out, 0, out.length);
    }
}
