package io.qwenimage.engine.model;

import ai.onnxruntime.OnnxJavaType;
import io.qwenimage.engine.JsonFiles;
import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.scheduler.SchedulerConfig;
import java.nio.file.Path;

/** What opening an SD3 or a FLUX folder has in common. */
final class FlowModels {

    /** The side SD3 and FLUX.1 were trained at (diffusers: default_sample_size 128 x vae_scale_factor 8). */
    static final int DEFAULT_NATIVE_SIZE = 1024;

    private FlowModels() {
    }

    /** The folder's scheduler config, which must be a flow-matching one. */
    static SchedulerConfig flowScheduler(Path folder, String family) {
        Path file = folder.resolve("scheduler/scheduler_config.json");
        SchedulerConfig config = SchedulerConfig.read(file);
        if (config.flow() == null) {
            throw ModelException.of(file, "is a " + config.className() + "; a " + family + " model needs "
                    + SchedulerConfig.FLOW_MATCH_CLASS);
        }
        return config;
    }

    /** The VAE's {@code sample_size} (the native picture side), else 1024. */
    static int nativeSize(Path folder) {
        int size = JsonFiles.readOptional(folder.resolve("vae_decoder/config.json")).path("sample_size")
                .asInt(DEFAULT_NATIVE_SIZE);
        return size >= 64 ? size : DEFAULT_NATIVE_SIZE;
    }

    static String dtype(OnnxJavaType latents) {
        return latents == OnnxJavaType.FLOAT16 ? "float16" : latents == OnnxJavaType.BFLOAT16 ? "bfloat16"
                : "float32";
    }

}
