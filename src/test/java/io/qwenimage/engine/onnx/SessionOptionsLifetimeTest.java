package io.qwenimage.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A session's options stay open for as long as the session runs (ONNX Runtime's rule), and are released with the
 * factory once its sessions are closed; a failed open keeps nothing.
 */
class SessionOptionsLifetimeTest {

    @Test
    void optionsOutliveTheirSessionAndGoWithTheFactory() throws Exception {
        SessionFactory factory = new SessionFactory(new SessionSettings(ExecutionProvider.CPU, 0, 1, 1, false));
        try (OrtSession session = factory.open(ExecutionProviderFallbackTest.GRAPH)) {
            assertThat(factory.openOptions()).isEqualTo(1);
            float[] latent = new float[4 * 8 * 8];
            try (OnnxTensor in = OnnxTensor.createTensor(factory.environment(), FloatBuffer.wrap(latent),
                    new long[] {1, 4, 8, 8});
                 OrtSession.Result out = session.run(Map.of("latent_sample", in))) {
                assertThat(((float[][][][]) out.get(0).getValue())[0]).hasNumberOfRows(3);
            }
        }
        factory.close();
        assertThat(factory.openOptions()).isZero();
        assertThatThrownBy(() -> factory.open(ExecutionProviderFallbackTest.GRAPH))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(factory.openOptions()).isZero();
    }

    @Test
    void aGraphOnnxRuntimeCannotLoadKeepsNoOptions() {
        SessionFactory factory = new SessionFactory(new SessionSettings(ExecutionProvider.CPU, 0, 1, 1, false));
        assertThatThrownBy(() -> factory.open(Path.of("README.md"), new byte[] {1, 2, 3}))
                .hasMessageContaining("ONNX Runtime cannot load it");
        assertThat(factory.openOptions()).isZero();
        factory.close();
    }
}
