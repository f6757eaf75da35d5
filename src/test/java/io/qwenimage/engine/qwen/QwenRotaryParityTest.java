package io.qwenimage.engine.qwen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The engine's rotary tables against PyTorch: {@code tools/demo-qwen/rope-fixture.json}, written by
 * {@code tools/demo-qwen/rope_fixture.py} from a re-expression of diffusers' {@code QwenEmbedRope} (complex tables
 * over 4096 positions, negative rows from the end of the negative table) that must agree with the demo model's own
 * table code before it writes anything; 64x64 and 96x64 pictures with 12 text tokens, axes (8, 12, 12).
 */
class QwenRotaryParityTest {

    @Test
    void tablesMatchDiffusersQwenEmbedRope() throws IOException {
        JsonNode fixture = new ObjectMapper().readTree(Path.of("tools/demo-qwen/rope-fixture.json").toFile());
        JsonNode axes = fixture.path("axes_dims_rope");
        QwenRotaryTables rope = new QwenRotaryTables(fixture.path("theta").asDouble(),
                new int[] {axes.get(0).asInt(), axes.get(1).asInt(), axes.get(2).asInt()},
                fixture.path("scale_rope").asBoolean());
        assertThat(fixture.path("cases").size()).isEqualTo(2);
        for (JsonNode c : fixture.path("cases")) {
            int rows = c.path("img_shape").get(1).asInt();
            int columns = c.path("img_shape").get(2).asInt();
            String what = c.path("height").asInt() + "x" + c.path("width").asInt();
            compare(what + " image", rope.image(rows, columns), c.path("image_cos"), c.path("image_sin"));
            compare(what + " text", rope.text(c.path("txt_len").asInt(), rows, columns), c.path("text_cos"),
                    c.path("text_sin"));
        }
    }

    static void compare(String what, QwenRotaryTables.Table table, JsonNode cos, JsonNode sin) {
        assertThat(table.tokens()).as(what + " tokens").isEqualTo(cos.size());
        for (int t = 0; t < cos.size(); t++) {
            assertThat(cos.get(t).size()).as(what + " pairs").isEqualTo(table.width());
            for (int j = 0; j < table.width(); j++) {
                assertThat((double) table.cos()[t * table.width() + j]).as(what + " cos token " + t + " pair " + j)
                        .isCloseTo(cos.get(t).get(j).asDouble(), within(2e-6));
                assertThat((double) table.sin()[t * table.width() + j]).as(what + " sin token " + t + " pair " + j)
                        .isCloseTo(sin.get(t).get(j).asDouble(), within(2e-6));
            }
        }
    }
}
