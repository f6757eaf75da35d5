package io.qwenimage.service;

import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.GenerationResult;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.pipeline.ImagePipeline;

/** A generation's last stage on its worker ({@link PictureFinish}): the pictures as they are to be encoded. */
@FunctionalInterface
interface Finisher {

    Finisher NONE = (generated, pipeline, cancel, progress) -> generated;

    GenerationResult finish(GenerationResult generated, ImagePipeline pipeline, CancellationToken cancel,
                            ProgressListener progress);
}
