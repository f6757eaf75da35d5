package io.qwenimage.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.ModelException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * On a machine without a GPU, "auto" runs on the CPU and says why, and "cuda" refuses to start. The build runs
 * this class twice: with the CPU jar, and (surefire execution "cuda-fallback") with the GPU jar of the cuda
 * profile, which declares the CUDA provider but cannot load it here.
 */
class ExecutionProviderFallbackTest {

    static final Path GRAPH = Path.of("models/demo/vae_decoder/model.onnx");

    @Test
    void autoFallsBackToTheCpuAndSaysWhy() throws Exception {
        if (Boolean.getBoolean("qwen.test.gpu-jar")) {
            assertThat(OrtEnvironment.getAvailableProviders()).as("the GPU jar is on the classpath")
                    .contains(OrtProvider.CUDA);
        }
        SessionFactory factory = new SessionFactory(new SessionSettings(ExecutionProvider.AUTO, 0, 1, 1, false));
        try (OrtSession session = factory.open(GRAPH)) {
            assertThat(session.getInputNames()).contains("latent_sample");
        }
        assertThat(factory.activeProvider()).isEqualTo("cpu");
        assertThat(factory.fallbackReason()).isNotBlank();
        // later sessions go straight to the CPU
        try (OrtSession again = factory.open(GRAPH)) {
            assertThat(factory.activeProvider()).isEqualTo("cpu");
        }
    }

    @Test
    void cudaWithoutAGpuIsAClearError() {
        SessionFactory factory = new SessionFactory(new SessionSettings(ExecutionProvider.CUDA, 0, 1, 1, false));
        assertThatThrownBy(() -> factory.open(GRAPH)).isInstanceOf(ModelException.class)
                .hasMessageContaining("cannot run on CUDA device 0").hasMessageContaining("auto or cpu");
    }

    @Test
    void providerNamesParse() {
        assertThat(ExecutionProvider.parse(" CUDA ")).isEqualTo(ExecutionProvider.CUDA);
        assertThat(ExecutionProvider.parse("auto")).isEqualTo(ExecutionProvider.AUTO);
        assertThatThrownBy(() -> ExecutionProvider.parse("tpu")).hasMessageContaining("cpu, cuda or auto");
    }
}
