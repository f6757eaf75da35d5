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
 * SD3 and FLUX folders whose parts do not fit the family are refused when opened, naming the file and why: a
 * transformer of the other family, a CLIP encoder without what the family reads, a T5 folder without tokenizer.json,
 * a scheduler that is not flow matching, a VAE that is not 16-channel, a missing part.
 */
class FlowFolderTest {

    static final Path SD3 = Path.of("src/test/resources/models/tiny-sd3");
    static final Path FLUX = Path.of("src/test/resources/models/tiny-flux-dev");
    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());

    @Test
    void anSd3TransformerUnderAFluxIndexIsRefused(@TempDir Path dir) throws IOException {
        Path copy = copy(FLUX, dir);
        replace(SD3.resolve("transformer/model.onnx"), copy.resolve("transformer/model.onnx"));
        assertThatThrownBy(() -> FluxModel.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("transformer/model.onnx").hasMessageContaining("img_ids");
    }

    @Test
    void aFluxTransformerUnderAnSd3IndexIsRefused(@TempDir Path dir) throws IOException {
        Path copy = copy(SD3, dir);
        replace(FLUX.resolve("transformer/model.onnx"), copy.resolve("transformer/model.onnx"));
        assertThatThrownBy(() -> Sd3Model.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("transformer/model.onnx").hasMessageContaining("unpacked");
    }

    @Test
    void aFluxClipEncoderWithoutPooledOutputIsRefused(@TempDir Path dir) throws IOException {
        Path copy = copy(FLUX, dir);
        // T5's graph has last_hidden_state only
        replace(FLUX.resolve("text_encoder_2/model.onnx"), copy.resolve("text_encoder/model.onnx"));
        assertThatThrownBy(() -> FluxModel.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("text_encoder/model.onnx").hasMessageContaining("pooler_output");
    }

    @Test
    void anSd3ClipEncoderWithoutItsHiddenStatesIsRefused(@TempDir Path dir) throws IOException {
        Path copy = copy(SD3, dir);
        // FLUX's CLIP is exported without hidden_states.N, as optimum exports it for FLUX
        replace(FLUX.resolve("text_encoder/model.onnx"), copy.resolve("text_encoder/model.onnx"));
        assertThatThrownBy(() -> Sd3Model.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("text_encoder/model.onnx").hasMessageContaining("hidden_states.N");
    }

    @Test
    void aT5FolderWithOnlySpieceModelSaysHowToFixIt(@TempDir Path dir) throws IOException {
        Path copy = copy(FLUX, dir);
        Files.delete(copy.resolve("tokenizer_2/tokenizer.json"));
        assertThatThrownBy(() -> FluxModel.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("tokenizer_2/tokenizer.json").hasMessageContaining("spiece.model");
    }

    @Test
    void aSchedulerThatIsNotFlowMatchingIsRefused(@TempDir Path dir) throws IOException {
        Path copy = copy(SD3, dir);
        replace(Path.of("src/test/resources/models/tiny-sdxl/scheduler/scheduler_config.json"),
                copy.resolve("scheduler/scheduler_config.json"));
        assertThatThrownBy(() -> Sd3Model.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("scheduler_config.json").hasMessageContaining("FlowMatchEulerDiscreteScheduler");
    }

    @Test
    void aVaeThatIsNotSixteenChannelIsRefused(@TempDir Path dir) throws IOException {
        Path copy = copy(FLUX, dir);
        Path config = copy.resolve("vae_decoder/config.json");
        Files.writeString(config, Files.readString(config).replaceAll("\"latent_channels\":\\s*16",
                "\"latent_channels\": 4"));
        assertThatThrownBy(() -> FluxModel.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("vae_decoder/config.json").hasMessageContaining("16");
    }

    @Test
    void aMissingTransformerIsNamed(@TempDir Path dir) throws IOException {
        Path copy = copy(SD3, dir);
        Files.delete(copy.resolve("transformer/model.onnx"));
        assertThatThrownBy(() -> Sd3Model.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("transformer/model.onnx");
    }

    private static void replace(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }

    static Path copy(Path from, Path dir) throws IOException {
        return ModelFolders.copy(from, dir.resolve("model"));
    }
}
