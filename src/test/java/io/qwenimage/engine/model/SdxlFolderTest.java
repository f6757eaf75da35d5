package io.qwenimage.engine.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.testing.ModelFolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SDXL folders whose parts do not agree are refused when opened, with the file named and why: an SD UNet under an
 * SDXL index, an SDXL UNet under an SD index, a second text encoder without its hidden states.
 */
class SdxlFolderTest {

    static final Path TINY_SDXL = Path.of("src/test/resources/models/tiny-sdxl");
    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());

    @Test
    void aStableDiffusionUnetUnderAnSdxlIndexIsRefused(@TempDir Path dir) throws IOException {
        Path copy = copy(TINY_SDXL, dir);
        Files.copy(Path.of("models/demo/unet/model.onnx"), copy.resolve("unet/model.onnx"),
                StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> ModelBundle.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("unet/model.onnx").hasMessageContaining("no text_embeds/time_ids");
    }

    @Test
    void anSdxlUnetUnderAStableDiffusionIndexIsRefused(@TempDir Path dir) throws IOException {
        Path copy = copy(TINY_SDXL, dir);
        Path index = copy.resolve("model_index.json");
        Files.writeString(index, Files.readString(index).replace("\"StableDiffusionXLPipeline\"",
                "\"StableDiffusionPipeline\""));
        assertThatThrownBy(() -> ModelBundle.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("unet/model.onnx").hasMessageContaining("StableDiffusionXLPipeline");
    }

    @Test
    void aSecondTextEncoderWithoutItsHiddenStatesIsRefused(@TempDir Path dir) throws IOException {
        Path copy = copy(TINY_SDXL, dir);
        // the demo's encoder exports last_hidden_state and pooler_output only
        Files.copy(Path.of("models/demo/text_encoder/model.onnx"), copy.resolve("text_encoder_2/model.onnx"),
                StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> ModelBundle.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("text_encoder_2/model.onnx").hasMessageContaining("hidden_states.N");
    }

    @Test
    void anSdxlFolderWithoutItsSecondEncoderNamesTheMissingFile(@TempDir Path dir) throws IOException {
        Path copy = copy(TINY_SDXL, dir);
        Files.delete(copy.resolve("text_encoder_2/model.onnx"));
        assertThatThrownBy(() -> ModelBundle.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("text_encoder_2/model.onnx");
    }

    static Path copy(Path from, Path dir) throws IOException {
        return ModelFolders.copy(from, dir.resolve("model"));
    }
}
