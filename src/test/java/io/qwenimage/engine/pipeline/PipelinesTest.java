package io.qwenimage.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.model.ModelBundle;
import io.qwenimage.engine.model.ModelFamily;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model folder opens with its family's pipeline, chosen by model_index.json, or is refused naming the family. */
class PipelinesTest {

    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());

    @Test
    void eachFolderGetsItsFamilysPipeline() {
        try (ImagePipeline sd = Pipelines.open(Path.of("models/demo"), SESSIONS);
             ImagePipeline qwen = Pipelines.open(Path.of("models/demo-qwen"), SESSIONS)) {
            assertThat(sd).isInstanceOf(StableDiffusionPipeline.class);
            assertThat(sd.info().pipeline()).isEqualTo(ModelFamily.STABLE_DIFFUSION);
            assertThat(qwen).isInstanceOf(QwenImagePipeline.class);
            assertThat(qwen.info().family()).isEqualTo("qwen-image");
            assertThat(qwen.info().nativeSize()).isEqualTo(64);
        }
    }

    @Test
    void aFamilyNotServedIsRefusedByNameAndAQwenFolderIsNotOpenedAsStableDiffusion(@TempDir Path dir)
            throws IOException {
        Path sd3 = Files.createDirectories(dir.resolve("sd3"));
        Files.writeString(sd3.resolve("model_index.json"), "{\"_class_name\": \"KandinskyV22Pipeline\"}");
        assertThatThrownBy(() -> Pipelines.open(sd3, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("KandinskyV22Pipeline (Kandinsky 2.2)").hasMessageContaining("model_index.json");
        assertThatThrownBy(() -> ModelBundle.open(Path.of("models/demo-qwen"), SESSIONS))
                .isInstanceOf(ModelException.class).hasMessageContaining("is a qwen-image model");
        assertThatThrownBy(() -> Pipelines.open(dir.resolve("nothing"), SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("no such directory");
    }
}
