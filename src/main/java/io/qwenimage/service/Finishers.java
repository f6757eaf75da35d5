package io.qwenimage.service;

import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.GenerationResult;
import io.qwenimage.engine.ImageTensors;
import io.qwenimage.engine.RgbImage;
import java.util.ArrayList;
import java.util.List;

/** The {@link Finisher} of each {@link PictureFinish}. */
final class Finishers {

    private Finishers() {
    }

    /**
     * The last stage of a generation with {@code finish}, on the generation's worker: each picture upscaled; or for
     * the hires fix enlarged and redrawn by image-to-image at the larger size (its seed, prompt and guidance; the
     * second pass's steps and strength); or for "only masked" inpainting pasted back into the whole picture.
     */
    static Finisher of(GenerationRequest request, PictureFinish finish, Upscalers upscalers) {
        if (finish.none()) {
            return Finisher.NONE;
        }
        return (generated, pipeline, cancel, progress) -> {
            List<RgbImage> pictures = new ArrayList<>(generated.images().size());
            if (finish.paste() != null) {
                PictureFinish.PasteBack p = finish.paste();
                generated.images().forEach(g -> pictures.add(p.mask().pasted(p.picture(), p.region(), g)));
                return new GenerationResult(pictures, generated.seeds(), generated.truncatedPrompt(),
                        generated.onnxNanos());
            }
            long onnx = generated.onnxNanos();
            for (int i = 0; i < generated.images().size(); i++) {
                RgbImage picture = generated.images().get(i);
                PictureFinish.HiresFix hires = finish.hires();
                if (hires == null) {
                    pictures.add(upscalers.upscaleNow(picture, finish.upscale(), cancel));
                    continue;
                }
                RgbImage larger = hires.byUpscaler()
                        ? ImageTensors.resize(upscalers.upscaleNow(picture, Math.max((double) hires.width() / picture.width(),
                        (double) hires.height() / picture.height()), cancel), hires.width(), hires.height())
                        : ImageTensors.resize(picture, hires.width(), hires.height());
                GenerationRequest second = new GenerationRequest(request.prompt(), request.negativePrompt(),
                        hires.width(), hires.height(), hires.steps(), request.guidanceScale(), request.scheduler(),
                        generated.seeds().get(i), 1, larger, hires.strength(), request.maxSequenceLength(),
                        request.trueCfgScale());
                GenerationResult redrawn = pipeline.generate(second, progress, cancel);
                onnx += redrawn.onnxNanos();
                pictures.add(redrawn.images().get(0));
            }
            return new GenerationResult(pictures, generated.seeds(), generated.truncatedPrompt(), onnx);
        };
    }
}
