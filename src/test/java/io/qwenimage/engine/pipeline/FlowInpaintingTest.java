package io.qwenimage.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.InpaintMask;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.engine.model.FluxModel;
import io.qwenimage.engine.model.Sd3Model;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.scheduler.SchedulerKind;
import io.qwenimage.testing.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Inpainting on SD3 and FLUX (latent blending in flow matching's own noise, {@code sigma·eps + (1 - sigma)·x}), and
 * on SDXL (the Stable Diffusion pipeline's blending), on the tiny fixtures and the Qwen-Image demo
 * (QwenImageInpaintPipeline's blending, the mask packed like its latents): the kept half of the picture comes back as sent and the masked half is repainted; a mask over
 * everything at strength 1 gives exactly the picture plain image-to-image gives (sigma 1 is pure noise, nothing is
 * put back, the composite takes every generated pixel).
 */
class FlowInpaintingTest {

    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());
    static final RgbImage INPUT = ImageCodec.decode(TestImages.redCircleOnBluePng(64, 64), 1 << 20);
    static Sd3Model sd3;
    static FluxModel flux;
    static io.qwenimage.engine.model.ModelBundle sdxl;
    static io.qwenimage.engine.model.QwenImageModel qwen;

    @BeforeAll
    static void open() {
        sd3 = Sd3Model.open(Path.of("src/test/resources/models/tiny-sd3"), SESSIONS);
        flux = FluxModel.open(Path.of("src/test/resources/models/tiny-flux-dev"), SESSIONS);
        sdxl = io.qwenimage.engine.model.ModelBundle.open(Path.of("src/test/resources/models/tiny-sdxl"), SESSIONS);
        qwen = io.qwenimage.engine.model.QwenImageModel.open(ParityFixtures.QWEN_MODEL, SESSIONS);
    }

    @AfterAll
    static void close() {
        sd3.close();
        flux.close();
        sdxl.close();
        qwen.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd3", "flux", "sdxl", "qwen-image"})
    void theKeptHalfComesBackAsSentAndTheMaskedHalfIsRepainted(String family) {
        byte[] left = new byte[64 * 64];
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 32; x++) {
                left[y * 64 + x] = (byte) 255;
            }
        }
        RgbImage out = generate(family, request(0.8).withMask(InpaintMask.of(64, 64, left)));
        int worstKept = 0;
        int repainted = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int diff = 0;
                for (int c = 0; c < 3; c++) {
                    diff = Math.max(diff, Math.abs(out.at(x, y, c) - INPUT.at(x, y, c)));
                }
                if (x < 32) {
                    repainted += diff > 30 ? 1 : 0;
                } else {
                    worstKept = Math.max(worstKept, diff);
                }
            }
        }
        assertThat(worstKept).as(family + ": the kept half, in levels").isLessThanOrEqualTo(1);
        assertThat(repainted).as(family + ": pixels repainted in the masked half").isGreaterThan(500);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd3", "flux", "qwen-image"})
    void aMaskOverEverythingAtStrengthOneIsPlainImageToImage(String family) {
        byte[] all = new byte[64 * 64];
        java.util.Arrays.fill(all, (byte) 255);
        RgbImage plain = generate(family, request(1.0));
        RgbImage masked = generate(family, request(1.0).withMask(InpaintMask.of(64, 64, all)));
        assertThat(PipelineRuns.maxLevelDifference(masked, plain)).isZero();
    }

    private static GenerationRequest request(double strength) {
        return new GenerationRequest("a green circle on a blue background", "", 64, 64, 4, 3.5,
                SchedulerKind.FLOW_MATCH_EULER, 7, 1, INPUT, strength);
    }

    private static RgbImage generate(String family, GenerationRequest request) {
        ImagePipeline pipeline = switch (family) {
            case "sd3" -> new Sd3Pipeline(sd3);
            case "flux" -> new FluxPipeline(flux);
            case "qwen-image" -> new QwenImagePipeline(qwen);
            default -> new StableDiffusionPipeline(sdxl);
        };
        if (family.equals("sdxl")) {
            // SDXL runs on the Stable Diffusion pipeline's inpainting (its own scheduler family)
            request = new GenerationRequest(request.prompt(), "", 64, 64, 4, 5.0, SchedulerKind.EULER, 7, 1,
                    request.initImage(), request.strength()).withMask(request.mask());
        }
        return pipeline.generate(request, ProgressListener.NONE, new CancellationToken()).images().get(0);
    }
}
