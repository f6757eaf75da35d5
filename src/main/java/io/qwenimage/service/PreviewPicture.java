package io.qwenimage.service;

import io.qwenimage.engine.RgbImage;

/**
 * A live preview as the routes get it: the picture the model predicts after {@code step} of {@code total}, at the
 * latents' resolution ({@link PreviewPictures} encodes it).
 *
 * @param index 0 for the generation's first preview, then 1, 2, ...
 */
public record PreviewPicture(int step, int total, int index, RgbImage picture) {

    static PreviewPicture of(io.qwenimage.jobs.LivePreview p) {
        return p == null ? null : new PreviewPicture(p.step(), p.total(), p.index(), p.picture());
    }
}
