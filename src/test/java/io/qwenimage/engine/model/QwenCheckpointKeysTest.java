package io.qwenimage.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The networks of tools/demo-qwen/qwen_modules.py, which tools/qwen-export/export_qwen_image.py loads real
 * checkpoints into (strictly: every key by name and shape), carry diffusers' and transformers' own parameter names:
 * the demo checkpoint's keys (tools/demo-qwen/checkpoint-keys/, read from the safetensors files it saved) against
 * the keys diffusers' and transformers' source gives for the same configuration (tools/qwen-export/reference-keys/,
 * with the commits they were read at).
 */
class QwenCheckpointKeysTest {

    static final Path REFERENCE = Path.of("tools/qwen-export/reference-keys");
    static final Path DEMO = Path.of("tools/demo-qwen/checkpoint-keys");

    static Map<String, String> keys(Path file) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] f = line.trim().split("\\s+");
                out.put(f[0], f.length > 1 ? f[1] : "");
            }
        }
        return out;
    }

    @Test
    void theTransformerHasDiffusersQwenImageTransformer2DModelKeysAndShapes() throws IOException {
        Map<String, String> reference = keys(REFERENCE.resolve("transformer.txt"));
        assertThat(reference).hasSizeGreaterThan(100);
        assertThat(keys(DEMO.resolve("transformer.txt"))).isEqualTo(reference);
    }

    @Test
    void theTextEncoderHasTheQwen25VlLanguageModelKeysOfItsCheckpointFiles() throws IOException {
        Map<String, String> reference = keys(REFERENCE.resolve("text_encoder.txt"));
        Map<String, String> demo = keys(DEMO.resolve("text_encoder.txt"));
        // the demo's own additions and omissions: an id table onto its 68-row vocabulary, and no lm_head (prompt
        // encoding never uses it; the exporter skips it in real checkpoints)
        assertThat(demo.remove("vocab_remap")).isEqualTo("151665");
        assertThat(reference.remove("lm_head.weight")).isEqualTo("151936,64");
        assertThat(demo.remove("model.embed_tokens.weight")).isEqualTo("68,64");
        assertThat(reference.remove("model.embed_tokens.weight")).isEqualTo("151936,64");
        assertThat(demo).isEqualTo(reference);
    }
}
