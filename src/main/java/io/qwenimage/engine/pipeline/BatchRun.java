package io.qwenimage.engine.pipeline;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.BatchEntry;
import io.qwenimage.engine.BatchResults;
import io.qwenimage.engine.GenerationCancelledException;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.GenerationResult;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.scheduler.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The state of one run shared by every family: its entries' image rows, in entry order ({@link #firstImage}), which
 * entries are still in it, and the time spent inside ONNX Runtime.
 */
abstract class BatchRun implements DenoisingLoop.Members {

    final List<BatchEntry> entries;
    final BatchResults results;
    final boolean[] done;
    final OrtSession.RunOptions run;
    /** {@code firstImage[j]} is entry j's first image row; {@code firstImage[entries.size()]} is {@link #images}. */
    final int[] firstImage;
    final int images;
    long onnx;

    BatchRun(List<BatchEntry> entries, BatchResults results, boolean[] done, OrtSession.RunOptions run) {
        this.entries = entries;
        this.results = results;
        this.done = done;
        this.run = run;
        this.firstImage = new int[entries.size() + 1];
        for (int j = 0; j < entries.size(); j++) {
            firstImage[j + 1] = firstImage[j] + entries.get(j).request().numImages();
        }
        this.images = firstImage[entries.size()];
    }

    /** The stages every family runs, in order; each stops the run when no entry is left. */
    final void generate() throws OrtException {
        plan();
        if (!dropCancelled()) {
            return;
        }
        phase(ProgressListener.Phase.TEXT_ENCODING);
        encodePrompts();
        if (!initialLatents()) {
            return;
        }
        phase(ProgressListener.Phase.DENOISING);
        if (!denoise()) {
            return;
        }
        phase(ProgressListener.Phase.DECODING);
        decode();
    }

    /** Fixes the run's shape from its first entry (every entry shares its batch key) and checks it can run. */
    abstract void plan();

    /** Every entry's prompt (and negative prompt with guidance) through the text encoder. */
    abstract void encodePrompts() throws OrtException;

    /** Each image's starting latents (image-to-image: the encoded picture, noised); false when none is left. */
    abstract boolean initialLatents() throws OrtException;

    /** The scheduler loop over the denoiser; false when every entry was cancelled on the way. */
    abstract boolean denoise() throws OrtException;

    /** Each image through the VAE decoder; each entry answered as soon as its pictures are done. */
    abstract void decode() throws OrtException;

    /** Decodes image row {@code image} of entry {@code request} into its picture. */
    @FunctionalInterface
    interface PictureDecoder {
        RgbImage decode(int image, GenerationRequest request) throws OrtException;
    }

    /**
     * Each entry's images through {@code decoder}, in order; each entry answered as soon as its pictures are done
     * (with its prompt's cut text from {@code truncated}), a cancelled one dropped between pictures.
     */
    final void answerEach(PictureDecoder decoder, IntFunction<String> truncated) throws OrtException {
        for (int j = 0; j < entries.size(); j++) {
            GenerationRequest r = entries.get(j).request();
            List<RgbImage> pictures = new ArrayList<>(r.numImages());
            List<Long> seeds = new ArrayList<>(r.numImages());
            for (int i = firstImage[j]; i < firstImage[j + 1] && !done[j]; i++) {
                dropCancelled();
                if (done[j]) {
                    break;
                }
                pictures.add(decoder.decode(i, r));
                seeds.add(r.seedOf(i - firstImage[j]));
            }
            if (!done[j]) {
                done[j] = true;
                results.succeeded(j, new GenerationResult(List.copyOf(pictures), List.copyOf(seeds),
                        truncated.apply(j), onnx));
            }
        }
    }

    /** Fails every entry whose token fired; false when none is left. */
    final boolean dropCancelled() {
        boolean any = false;
        for (int j = 0; j < entries.size(); j++) {
            if (!done[j] && entries.get(j).cancel().isCancelled()) {
                done[j] = true;
                results.failed(j, new GenerationCancelledException(entries.get(j).cancel().reason()));
            }
            any |= !done[j];
        }
        return any;
    }

    /** Tells the entries still running that {@code phase} begins. */
    final void phase(ProgressListener.Phase phase) {
        for (int j = 0; j < entries.size(); j++) {
            if (!done[j]) {
                entries.get(j).progress().onPhase(phase);
            }
        }
    }

    @Override
    public final boolean stillRunning() {
        return dropCancelled();
    }

    @Override
    public final void preview(Scheduler scheduler, int step, float[] modelOutput, float[] latents)
            throws OrtException {
        float[] denoised = null;
        for (int j = 0; j < entries.size(); j++) {
            ProgressListener progress = entries.get(j).progress();
            if (!done[j] && progress.wantsPreview(step + 1, scheduler.steps())) {
                if (denoised == null) {
                    denoised = new float[latents.length];
                    scheduler.denoised(step, modelOutput, latents, denoised);
                }
                progress.onPreview(step + 1, scheduler.steps(), previewOf(denoised, firstImage[j]));
            }
        }
    }

    /**
     * The preview of image row {@code image} of {@code latents} (the whole run's, in the family's layout): the
     * entry's first picture, projected to RGB at the latents' resolution.
     */
    abstract RgbImage previewOf(float[] latents, int image) throws OrtException;

    @Override
    public final void stepDone(int step, int total) {
        for (int j = 0; j < entries.size(); j++) {
            if (!done[j]) {
                entries.get(j).progress().onStep(step, total);
            }
        }
    }
}
