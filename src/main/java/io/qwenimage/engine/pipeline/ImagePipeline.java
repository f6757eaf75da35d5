package io.qwenimage.engine.pipeline;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.BatchEntry;
import io.qwenimage.engine.BatchKey;
import io.qwenimage.engine.BatchResults;
import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.GenerationCancelledException;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.GenerationResult;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.model.ModelInfo;
import java.util.List;

/**
 * One opened model of one family, generating pictures: a request alone, or several compatible requests through the
 * same model calls. What is shared by every family lives here (batch checks, cancellation of the call in flight,
 * one outcome per entry); each family's stages live in its subclass.
 *
 * <p>Sessions are shared and ONNX Runtime allows concurrent runs, so several workers may call one pipeline.
 */
public abstract sealed class ImagePipeline implements AutoCloseable
        permits StableDiffusionPipeline, Sd3Pipeline, FluxPipeline, QwenImagePipeline {

    /** What the model is, for /info, request checks and logs. */
    public abstract ModelInfo info();

    /** The key requests must share to run together, or null when {@code request} runs alone (image-to-image). */
    public final BatchKey batchKey(GenerationRequest request) {
        return BatchKey.of(info().pipeline(), request);
    }

    /** The family's stages over {@code entries}; each entry's outcome to {@code results}, marking it in {@code done}. */
    abstract void runBatch(List<BatchEntry> entries, BatchResults results, boolean[] done, OrtSession.RunOptions run)
            throws OrtException;

    /** Closes every session of the model. */
    @Override
    public abstract void close();

    /**
     * Generates the request's images.
     *
     * @throws GenerationCancelledException when {@code cancel} fired (checked before every denoiser call; the call
     *                                      in flight is terminated)
     * @throws IllegalArgumentException     for a request this model cannot serve (e.g. image-to-image without a
     *                                      VAE encoder, too few steps for the strength)
     */
    public final GenerationResult generate(GenerationRequest request, ProgressListener progress,
                                           CancellationToken cancel) {
        GenerationResult[] result = new GenerationResult[1];
        RuntimeException[] failure = new RuntimeException[1];
        generateTogether(List.of(new BatchEntry(request, progress, cancel)), new BatchResults() {
            @Override
            public void succeeded(int index, GenerationResult r) {
                result[0] = r;
            }

            @Override
            public void failed(int index, RuntimeException error) {
                failure[0] = error;
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        return result[0];
    }

    /**
     * Generates several requests through the same model calls: their images are rows of one batch. Every entry must
     * have the same {@link #batchKey}. Each entry keeps its prompt, negative prompt, seeds, guidance scale and image
     * count, so its pictures are those it would get alone (see each family for how exactly), and its own
     * cancellation: a cancelled entry leaves at the next step while the others go on. Outcomes go to
     * {@code results}, once per entry.
     *
     * @throws IllegalArgumentException when the entries cannot share a batch
     */
    public final void generateTogether(List<BatchEntry> entries, BatchResults results) {
        if (entries.size() > 1) {
            BatchKey key = batchKey(entries.get(0).request());
            for (BatchEntry e : entries) {
                if (key == null || !key.equals(batchKey(e.request()))) {
                    throw new IllegalArgumentException("these requests cannot share a batch");
                }
            }
        }
        boolean[] done = new boolean[entries.size()];
        // only a batch of one may abort the call in flight: in a larger batch the others still need it
        CancellationToken only = entries.size() == 1 ? entries.get(0).cancel() : null;
        try (OrtSession.RunOptions run = new OrtSession.RunOptions()) {
            if (only != null) {
                only.bind(run);
            }
            try {
                runBatch(entries, results, done, run);
            } finally {
                if (only != null) {
                    only.bind(null);
                }
            }
        } catch (OrtException | RuntimeException e) {
            for (int i = 0; i < entries.size(); i++) {
                if (!done[i]) {
                    done[i] = true;
                    results.failed(i, failure(e, entries.get(i).cancel()));
                }
            }
        }
    }

    private static RuntimeException failure(Exception e, CancellationToken cancel) {
        if (e instanceof GenerationCancelledException c) {
            return c;
        }
        if (cancel.isCancelled()) {
            return new GenerationCancelledException(cancel.reason());
        }
        if (e instanceof RuntimeException r) {
            return r;
        }
        return new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
    }
}
