package io.qwenimage.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.InpaintMask;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.model.Embeddings;
import io.qwenimage.engine.model.ModelBundle;
import io.qwenimage.engine.model.ModelFamily;
import io.qwenimage.engine.model.UnetCall;
import io.qwenimage.engine.model.UnetConditioning;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.onnx.Workspace;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A dedicated inpainting UNet ({@code in_channels} 9, diffusers' StableDiffusionInpaintPipeline) against its PyTorch
 * reference ({@code tools/tiny-sd-inpaint/}, a random-weight fixture with the demo's encoders and VAE): the UNet's
 * input is the latents, the binarised latent mask and the masked picture's latents, in that order, for both halves
 * of the guidance batch; the picture inside the mask is the reference's within one level, outside it the input's.
 */
class InpaintingUnetParityTest {

    static final Path MODEL = Path.of("src/test/resources/models/tiny-sd-inpaint");
    static final String PROMPT = "a red circle on a blue background";
    static ModelBundle model;
    static ParityFixtures fx;

    @BeforeAll
    static void open() {
        model = ModelBundle.open(MODEL, new SessionFactory(SessionSettings.cpuDefaults()));
        fx = new ParityFixtures(Path.of("tools/tiny-sd-inpaint/parity"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theFolderOpensAsStableDiffusionWithAnInpaintingUnet() {
        assertThat(model.info().pipeline()).isEqualTo(ModelFamily.STABLE_DIFFUSION);
        assertThat(model.unet().inpaints()).isTrue();
        assertThat(model.unet().inChannels()).isEqualTo(9);
    }

    @Test
    void theFirstUnetCallTakesLatentsMaskAndMaskedLatentsForBothHalves() throws Exception {
        float[] input = fx.get("inp_s1.latent_model_input_step1").floats();      // [2, 9, 8, 8], already scaled
        int area = 64;
        float[] latents = Arrays.copyOfRange(input, 0, 4 * area);
        float[] extra = new float[2 * 5 * area];
        for (int row = 0; row < 2; row++) {
            System.arraycopy(input, row * 9 * area + 4 * area, extra, row * 5 * area, 5 * area);
        }
        float[] context = concat(fx.get("inp_s1.negative_prompt_embeds").floats(),
                fx.get("inp_s1.prompt_embeds").floats());
        UnetConditioning conditioning = UnetConditioning.of(new Embeddings(context, 2, 77, 64), null)
                .withInpainting(extra);
        double timestep = fx.get("inp_s1.timesteps").floats()[0];
        try (UnetCall unet = model.unet().bind(Workspace.ofCurrentThread(), 2, 8, 8, conditioning)) {
            float[] out = unet.predict(latents, 1f, true, timestep, null);
            PipelineRuns.assertClose(out, fx.get("inp_s1.unet_out_step1").floats(), 1e-4, "UNet output at step 1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inp_s1", "inp_s06", "inp_96x64", "inp_cfg1"})
    void theWholePipelineDrawsTheReferencePictureInsideTheMask(String part) {
        long[] shape = fx.get(part + ".init_image_uint8").shape();
        int h = (int) shape[1];
        int w = (int) shape[2];
        RgbImage input = new RgbImage(w, h, fx.get(part + ".init_image_uint8").bytesOf());
        InpaintMask mask = InpaintMask.of(w, h, fx.get(part + ".mask_image_uint8").bytesOf());
        double strength = part.equals("inp_s06") ? 0.6 : 1.0;
        double guidance = part.equals("inp_96x64") ? 5.0 : part.equals("inp_cfg1") ? 1.0 : 7.5;
        String negative = part.equals("inp_96x64") ? "green" : "";
        GenerationRequest request = new GenerationRequest(PROMPT, negative, w, h, 4, guidance, SchedulerKind.EULER,
                0, 1, input, strength).withMask(mask);
        // diffusers' draws: the picture's posterior (below strength 1 only), the initial noise, the masked picture's
        List<float[]> draws = new ArrayList<>();
        if (strength < 1) {
            draws.add(fx.get(part + ".posterior_noise").floats());
        }
        draws.add(fx.get(part + ".noise").floats());
        draws.add(fx.get(part + ".masked_posterior_noise").floats());
        StableDiffusionPipeline pipeline = new StableDiffusionPipeline(model, seed -> PipelineRuns.replay(draws));
        RgbImage ours = pipeline.generate(request, ProgressListener.NONE, new CancellationToken()).images().get(0);
        RgbImage reference = new RgbImage(w, h, fx.get(part + ".image_uint8").bytesOf());
        float[] binary = mask.binary(w, h);
        int inside = 0;
        int outside = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    if (binary[y * w + x] == 1f) {
                        inside = Math.max(inside, Math.abs(ours.at(x, y, c) - reference.at(x, y, c)));
                    } else {
                        outside = Math.max(outside, Math.abs(ours.at(x, y, c) - input.at(x, y, c)));
                    }
                }
            }
        }
        assertThat(inside).as(part + ": inside the mask, levels from the reference").isLessThanOrEqualTo(1);
        assertThat(outside).as(part + ": outside the mask, levels from the input").isLessThanOrEqualTo(1);
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
