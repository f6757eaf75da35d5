package io.qwenimage.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.DemoPictureJudge;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Qwen demo stored as large exports ship (tools/qwen-export/onnx_dtypes.py): a bfloat16 transformer with its
 * weights in an external model.onnx_data, float16 text encoder and VAE. The engine feeds each graph in the type it
 * declares and draws the same pictures as from the float32 graphs, up to the rounding of the stored weights (the
 * same colours and shape, a mean difference of about one level).
 */
class QwenHalfPrecisionTest {

    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());
    static final Path HALF = Path.of("src/test/resources/models/demo-qwen-half");

    @Test
    void bfloat16AndFloat16ExportsWithExternalWeightsDrawWhatFloat32Draws(@TempDir Path dir) throws IOException {
        Path folder = assemble(dir.resolve("demo-qwen-half"));
        GenerationRequest request = GenerationRequest.textToImage("a red circle on a blue background", " ", 64, 64,
                12, 4.0, SchedulerKind.FLOW_MATCH_EULER, 5, 1);
        RgbImage full;
        try (ImagePipeline f32 = Pipelines.open(ParityFixtures.QWEN_MODEL, SESSIONS)) {
            full = f32.generate(request, ProgressListener.NONE, new CancellationToken()).images().get(0);
        }
        try (ImagePipeline half = Pipelines.open(folder, SESSIONS)) {
            assertThat(half.info().dtype()).isEqualTo("bfloat16");
            RgbImage picture = half.generate(request, ProgressListener.NONE, new CancellationToken()).images().get(0);
            DemoPictureJudge.Verdict a = DemoPictureJudge.judge(full);
            DemoPictureJudge.Verdict b = DemoPictureJudge.judge(picture);
            assertThat(b.foreground()).isEqualTo(a.foreground());
            assertThat(b.background()).isEqualTo(a.background());
            double mean = meanLevelDifference(picture, full);
            System.out.printf("bf16/fp16 vs fp32: mean %.2f levels, max %d%n", mean,
                    PipelineRuns.maxLevelDifference(picture, full));
            // bfloat16 keeps 8 bits of each weight: the shape's edge may move by a pixel over 12 steps (max
            // differences of ~80 levels there), the picture as a whole stays within a few levels
            assertThat(mean).isLessThan(3.0);
            assertThat(b.shape()).isEqualTo(a.shape());
        }
    }

    /** The committed half-precision graphs with the float32 model's configs and tokenizer (not duplicated). */
    static Path assemble(Path target) throws IOException {
        Path full = ParityFixtures.QWEN_MODEL;
        try (Stream<Path> files = Files.walk(full)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                String rel = full.relativize(p).toString();
                if (rel.endsWith(".onnx") || rel.endsWith(".png") || rel.endsWith(".md")) {
                    continue;
                }
                Files.createDirectories(target.resolve(rel).getParent());
                Files.copy(p, target.resolve(rel));
            }
        }
        try (Stream<Path> files = Files.walk(HALF)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Path t = target.resolve(HALF.relativize(p).toString());
                Files.createDirectories(t.getParent());
                Files.copy(p, t);
            }
        }
        return target;
    }

    static double meanLevelDifference(RgbImage a, RgbImage b) {
        long sum = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            sum += Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF));
        }
        return (double) sum / a.rgb().length;
    }
}
