package io.qwenimage.engine.pipeline;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.RgbImage;
import java.util.Arrays;
import java.util.Random;

/**
 * One model's live previews: the {@link PreviewProjection} of its VAE, fitted the first time a preview is asked
 * for (on the worker, once per loaded model), then one projection per preview. The fit is to what the VAE encoder
 * makes of a few pictures of flat colour blocks (latents as real pictures give them); a model without an encoder is
 * fitted to what its decoder makes of random latents, which is rougher. Thread-safe: workers of one model share it.
 */
final class LatentPreviewer {

    /** The model's VAE decoder over planar latents in the denoising loop's scale. */
    @FunctionalInterface
    interface Decoder {
        float[] decode(float[] planar, int h, int w, OrtSession.RunOptions run) throws OrtException;
    }

    /** The model's VAE encoder: pixels {@code [3][H][W]} in [-1, 1] to the posterior's mean in the loop's scale. */
    @FunctionalInterface
    interface Encoder {
        float[] encode(float[] pixels, int height, int width, OrtSession.RunOptions run) throws OrtException;
    }

    /** Samples: this many pictures of this many latent pixels a side (random latents: standard normal like the loop's). */
    private static final int SAMPLES = 4;
    private static final int SIDE = 16;
    private static final long SEED = 20261203L;

    /** The colour blocks of the encoder's sample pictures, in pixels. */
    private static final int BLOCK = 32;

    private final int channels;
    private final Decoder decoder;
    private final Encoder encoder;
    private volatile PreviewProjection projection;

    /** @param encoder null when the model has none */
    LatentPreviewer(int channels, Decoder decoder, Encoder encoder) {
        this.channels = channels;
        this.decoder = decoder;
        this.encoder = encoder;
    }

    /** The preview of the planar latents {@code channels x h x w} from {@code offset}. */
    RgbImage preview(float[] planar, int offset, int h, int w, OrtSession.RunOptions run) throws OrtException {
        return projection(run).project(planar, offset, h, w);
    }

    private PreviewProjection projection(OrtSession.RunOptions run) throws OrtException {
        PreviewProjection p = projection;
        if (p == null) {
            synchronized (this) {
                p = projection;
                if (p == null) {
                    p = encoder != null ? fittedToEncoder(run) : fittedToDecoder(run);
                    projection = p;
                }
            }
        }
        return p;
    }

    private PreviewProjection fittedToEncoder(OrtSession.RunOptions run) throws OrtException {
        int side = 8 * SIDE;
        int fullPlane = 3 * side * side;
        int plane = channels * SIDE * SIDE;
        float[] pixels = new float[SAMPLES * fullPlane];
        float[] latents = new float[SAMPLES * plane];
        Random random = new Random(SEED);
        float[] picture = new float[fullPlane];
        for (int i = 0; i < SAMPLES; i++) {
            for (int by = 0; by < side; by += BLOCK) {
                for (int bx = 0; bx < side; bx += BLOCK) {
                    for (int c = 0; c < 3; c++) {
                        float v = random.nextFloat() * 2 - 1;
                        for (int y = by; y < by + BLOCK; y++) {
                            Arrays.fill(picture, c * side * side + y * side + bx,
                                    c * side * side + y * side + bx + BLOCK, v);
                        }
                    }
                }
            }
            System.arraycopy(picture, 0, pixels, i * fullPlane, fullPlane);
            float[] latent = encoder.encode(picture.clone(), side, side, run);
            System.arraycopy(latent, 0, latents, i * plane, plane);
        }
        return PreviewProjection.fit(channels, SAMPLES, SIDE, SIDE, latents, pixels);
    }

    private PreviewProjection fittedToDecoder(OrtSession.RunOptions run) throws OrtException {
        int plane = channels * SIDE * SIDE;
        float[] latents = new float[SAMPLES * plane];
        Random random = new Random(SEED);
        for (int k = 0; k < latents.length; k++) {
            latents[k] = (float) random.nextGaussian();
        }
        int fullPlane = 3 * 64 * SIDE * SIDE;
        float[] pixels = new float[SAMPLES * fullPlane];
        for (int i = 0; i < SAMPLES; i++) {
            // a copy: the decoder may scale its input in place
            float[] decoded = decoder.decode(Arrays.copyOfRange(latents, i * plane, (i + 1) * plane), SIDE, SIDE, run);
            System.arraycopy(decoded, 0, pixels, i * fullPlane, fullPlane);
        }
        return PreviewProjection.fit(channels, SAMPLES, SIDE, SIDE, latents, pixels);
    }
}
