package io.qwenimage.engine.pipeline;

import io.qwenimage.engine.model.FluxModel;
import io.qwenimage.engine.model.ModelBundle;
import io.qwenimage.engine.model.ModelFamily;
import io.qwenimage.engine.model.QwenImageModel;
import io.qwenimage.engine.model.Sd3Model;
import io.qwenimage.engine.onnx.SessionFactory;
import java.nio.file.Path;

/** Opens a model folder with the pipeline of its family (model_index.json's {@code _class_name}). */
public final class Pipelines {

    private Pipelines() {
    }

    /**
     * Opens {@code folder}.
     *
     * @throws io.qwenimage.engine.ModelException naming the file and what is wrong, or the family not served
     */
    public static ImagePipeline open(Path folder, SessionFactory sessions) {
        return switch (ModelFamily.ofFolder(folder)) {
            case STABLE_DIFFUSION, STABLE_DIFFUSION_XL -> new StableDiffusionPipeline(ModelBundle.open(folder, sessions));
            case STABLE_DIFFUSION_3 -> new Sd3Pipeline(Sd3Model.open(folder, sessions));
            case FLUX -> new FluxPipeline(FluxModel.open(folder, sessions));
            case QWEN_IMAGE -> new QwenImagePipeline(QwenImageModel.open(folder, sessions));
        };
    }

    /** The Stable Diffusion demo model packaged in the jar (see {@link ModelBundle#openDemo}). */
    public static ImagePipeline openDemo(Path workDir, SessionFactory sessions) {
        return new StableDiffusionPipeline(ModelBundle.openDemo(workDir, sessions));
    }
}
