package io.qwenimage.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The real Qwen-Image VAE's network (diffusers' AutoencoderKLQwenImage as tools/qwen-export/qwen_vae.py rebuilds it,
 * here at a small width with random weights, exported by export_qwen_image.py) runs in the engine's VAE stages as
 * PyTorch computes it: 5-D frames in and out, the mean of mean ‖ log-variance, the per-channel normalisation, the
 * decoder's clamp, a non-square size. Fixture: tools/qwen-export/make_vae_fixture.py.
 */
class QwenVaeArchitectureTest {

    static final Path DIR = Path.of("src/test/resources/models/qwen-vae-arch");
    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());

    static float[] floats(String name) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(DIR.resolve(name + ".bin"))).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    @Test
    void encoderMeanAndDecoderMatchPyTorchThroughTheStages() throws Exception {
        Path dec = DIR.resolve("vae_decoder/model.onnx");
        Path enc = DIR.resolve("vae_encoder/model.onnx");
        Path config = DIR.resolve("vae_decoder/config.json");
        JsonNode c = new ObjectMapper().readTree(config.toFile());
        try (QwenVaeStages vae = new QwenVaeStages(SESSIONS.environment(), SESSIONS.open(dec), dec,
                SESSIONS.open(enc), enc, config);
             OrtSession.RunOptions run = new OrtSession.RunOptions()) {
            float[] normalised = vae.encode(floats("encoder_in"), 48, 64, run);
            float[] parameters = floats("encoder_out");
            int plane = 6 * 8;
            assertThat(normalised).hasSize(16 * plane);
            double worst = 0;
            for (int ch = 0; ch < 16; ch++) {
                double mean = c.get("latents_mean").get(ch).asDouble();
                double std = c.get("latents_std").get(ch).asDouble();
                for (int k = 0; k < plane; k++) {
                    double expected = (parameters[ch * plane + k] - mean) / std;
                    worst = Math.max(worst, Math.abs(normalised[ch * plane + k] - expected));
                }
            }
            assertThat(worst).as("encoder mean, normalised").isCloseTo(0, within(1e-4));

            float[] z = floats("decoder_in");
            float[] given = new float[z.length];
            for (int ch = 0; ch < 16; ch++) {
                double mean = c.get("latents_mean").get(ch).asDouble();
                double std = c.get("latents_std").get(ch).asDouble();
                for (int k = 0; k < plane; k++) {
                    given[ch * plane + k] = (float) ((z[ch * plane + k] - mean) / std);
                }
            }
            float[] pixels = vae.decode(given, 6, 8, run);
            float[] expected = floats("decoder_out");
            assertThat(pixels).hasSameSizeAs(expected);
            worst = 0;
            for (int k = 0; k < pixels.length; k++) {
                worst = Math.max(worst, Math.abs(pixels[k] - expected[k]));
            }
            assertThat(worst).as("decoded pixels").isCloseTo(0, within(1e-4));
        }
    }
}
