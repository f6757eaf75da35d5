package io.qwenimage.engine.model;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.qwenimage.engine.JsonFiles;
import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.onnx.SessionFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The 16-channel {@code AutoencoderKL} of SD3 and FLUX in optimum's split ({@code vae_decoder}, and
 * {@code vae_encoder} for image-to-image), with the config's {@code scaling_factor} and {@code shift_factor}: the
 * transformer works on {@code (z - shift) · scale}, and the decoder is given {@code z / scale + shift}.
 */
public final class FlowVaeStages implements AutoCloseable {

    private final Path folder;
    private final VaeDecoderStage decoder;
    private final VaeEncoderStage encoder;      // null without image-to-image
    private final int channels;
    private final double scale;
    private final double shift;

    private FlowVaeStages(Path folder, VaeDecoderStage decoder, VaeEncoderStage encoder, int channels, double scale,
                          double shift) {
        this.folder = folder;
        this.decoder = decoder;
        this.encoder = encoder;
        this.channels = channels;
        this.scale = scale;
        this.shift = shift;
    }

    /**
     * Opens {@code vae_decoder/} (and {@code vae_encoder/} when present) of {@code folder}; each session opened is
     * added to {@code opened} so that a later failure can close it.
     *
     * @param defaultScale  the family's scaling factor when the config has none (SD3 1.5305, FLUX 0.3611)
     * @param defaultShift  the family's shift factor when the config has none (SD3 0.0609, FLUX 0.1159)
     */
    static FlowVaeStages open(Path folder, SessionFactory sessions, List<AutoCloseable> opened, double defaultScale,
                              double defaultShift) {
        Path configFile = folder.resolve("vae_decoder/config.json");
        JsonNode config = JsonFiles.read(configFile);
        int channels = config.path("latent_channels").asInt(16);
        if (channels != 16) {
            throw ModelException.of(configFile, "latent_channels is " + channels + "; SD3 and FLUX use 16");
        }
        double scale = config.path("scaling_factor").asDouble(defaultScale);
        double shift = config.path("shift_factor").isNumber() ? config.get("shift_factor").asDouble() : defaultShift;
        if (!(scale > 0)) {
            throw ModelException.of(configFile, "scaling_factor must be positive, got " + scale);
        }
        Path decoderFile = folder.resolve("vae_decoder/model.onnx");
        VaeDecoderStage decoder = new VaeDecoderStage(sessions.environment(),
                ModelParts.open(sessions, decoderFile, opened), decoderFile, channels);
        Path encoderFile = folder.resolve("vae_encoder/model.onnx");
        VaeEncoderStage encoder = Files.exists(encoderFile)
                ? VaeEncoderStage.open(sessions, encoderFile, opened::add, channels) : null;
        return new FlowVaeStages(folder, decoder, encoder, channels, scale, shift);
    }

    /** Latent channels (16). */
    public int channels() {
        return channels;
    }

    public double scalingFactor() {
        return scale;
    }

    public double shiftFactor() {
        return shift;
    }

    /** True when a VAE encoder is present. */
    public boolean encodes() {
        return encoder != null;
    }

    /**
     * One picture's latents, planar {@code [16][h][w]} as the transformer works on them, to pixels in [-1, 1].
     */
    public float[] decode(float[] latents, int height, int width, OrtSession.RunOptions run) throws OrtException {
        float[] z = new float[latents.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (latents[i] / scale + shift);
        }
        return decoder.decode(z, height, width, run);
    }

    /**
     * One picture (pixels in [-1, 1]) to latents as the transformer works on them: the posterior sampled with
     * {@code noise} (planar {@code [16][H/8][W/8]}), then {@code (z - shift) · scale}.
     */
    public float[] encode(float[] pixels, int height, int width, float[] noise, OrtSession.RunOptions run)
            throws OrtException {
        if (encoder == null) {
            throw new IllegalStateException("this model has no vae_encoder");
        }
        float[] z = encoder.encode(pixels, height, width, noise, run);
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) ((z[i] - shift) * scale);
        }
        return z;
    }

    @Override
    public void close() {
        ModelParts.closeAll(folder, decoder, encoder);
    }
}
