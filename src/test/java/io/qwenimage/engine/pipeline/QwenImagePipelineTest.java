package io.qwenimage.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qwenimage.engine.BatchEntry;
import io.qwenimage.engine.BatchResults;
import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.DemoPictureJudge;
import io.qwenimage.engine.GenerationCancelledException;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.GenerationResult;
import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.model.ModelFamily;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Qwen-Image pipeline's behaviour on the demo model, as a caller sees it: family selection, seeds, image
 * counts, progress, cancellation (alone and in a batch), image-to-image, and the requests it refuses.
 */
class QwenImagePipelineTest {

    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());
    static ImagePipeline pipeline;

    @BeforeAll
    static void open() {
        pipeline = Pipelines.open(ParityFixtures.QWEN_MODEL, SESSIONS);
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    static GenerationRequest request(String prompt, int steps, double scale, long seed, int images) {
        return GenerationRequest.textToImage(prompt, "", 64, 64, steps, scale, SchedulerKind.FLOW_MATCH_EULER, seed,
                images);
    }

    @Test
    void theFolderIsOpenedWithTheQwenImagePipelineByItsModelIndex() {
        assertThat(pipeline).isInstanceOf(QwenImagePipeline.class);
        assertThat(pipeline.info().pipeline()).isEqualTo(ModelFamily.QWEN_IMAGE);
        assertThat(pipeline.info().schedulers()).containsExactly(SchedulerKind.FLOW_MATCH_EULER);
        assertThat(pipeline.batchKey(request("a", 4, 4, 0, 1))).isEqualTo(pipeline.batchKey(request("b", 4, 2, 9, 3)))
                .isNotEqualTo(pipeline.batchKey(request("a", 4, 1, 0, 1)));
    }

    @Test
    void imageIOfARequestIsImage0WithSeedPlusIAndSeedsRepeat() {
        GenerationResult two = pipeline.generate(request("a blue square on a yellow background", 6, 4, 40, 2),
                ProgressListener.NONE, new CancellationToken());
        assertThat(two.seeds()).containsExactly(40L, 41L);
        RgbImage second = pipeline.generate(request("a blue square on a yellow background", 6, 4, 41, 1),
                ProgressListener.NONE, new CancellationToken()).images().get(0);
        assertThat(second.rgb()).isEqualTo(two.images().get(1).rgb());
        assertThat(two.images().get(0).rgb()).isNotEqualTo(two.images().get(1).rgb());
        DemoPictureJudge.Verdict v = DemoPictureJudge.judge(two.images().get(0));
        assertThat(v.foreground()).isEqualTo("blue");
        assertThat(v.background()).isEqualTo("yellow");
    }

    @Test
    void progressCountsEveryStepAndACancelStopsTheRun() {
        List<Integer> steps = new ArrayList<>();
        pipeline.generate(request("a red circle", 5, 4, 1, 1), (step, total) -> steps.add(step * 10 + total),
                new CancellationToken());
        assertThat(steps).containsExactly(15, 25, 35, 45, 55);
        CancellationToken cancel = new CancellationToken();
        assertThatThrownBy(() -> pipeline.generate(request("a red circle", 8, 4, 1, 1), (step, total) -> {
            if (step == 3) {
                cancel.cancel("cancelled by the client");
            }
        }, cancel)).isInstanceOf(GenerationCancelledException.class).hasMessageContaining("cancelled by the client");
    }

    @Test
    void aCancelledEntryLeavesTheBatchAndTheOthersGetTheirSoloPictures() {
        CancellationToken cancelled = new CancellationToken();
        GenerationRequest kept = request("a white triangle on a black background", 6, 4, 5, 1);
        List<BatchEntry> entries = List.of(
                new BatchEntry(request("a red circle on a green background", 6, 3, 9, 2), (step, total) -> {
                    if (step == 2) {
                        cancelled.cancel("deadline exceeded");
                    }
                }, cancelled),
                new BatchEntry(kept, ProgressListener.NONE, new CancellationToken()));
        Object[] outcome = new Object[2];
        pipeline.generateTogether(entries, new BatchResults() {
            @Override
            public void succeeded(int index, GenerationResult result) {
                outcome[index] = result;
            }

            @Override
            public void failed(int index, RuntimeException error) {
                outcome[index] = error;
            }
        });
        assertThat(outcome[0]).isInstanceOf(GenerationCancelledException.class);
        RgbImage batched = ((GenerationResult) outcome[1]).images().get(0);
        RgbImage alone = pipeline.generate(kept, ProgressListener.NONE, new CancellationToken()).images().get(0);
        // the batch pads the shorter prompt's states (masked): equal up to float rounding, not bit for bit
        assertThat(PipelineRuns.maxLevelDifference(batched, alone)).isLessThanOrEqualTo(1);
    }

    @Test
    void imageToImageStartsFromThePictureAndStrengthSetsHowFar() {
        RgbImage source = pipeline.generate(request("a red circle on a blue background", 10, 4, 3, 1),
                ProgressListener.NONE, new CancellationToken()).images().get(0);
        GenerationRequest light = new GenerationRequest("a red circle on a blue background", "", 64, 64, 10, 4,
                SchedulerKind.FLOW_MATCH_EULER, 8, 1, source, 0.3);
        List<Integer> totals = new ArrayList<>();
        RgbImage out = pipeline.generate(light, (step, total) -> totals.add(total), new CancellationToken())
                .images().get(0);
        assertThat(totals).hasSize(3).containsOnly(3);
        DemoPictureJudge.Verdict v = DemoPictureJudge.judge(out);
        assertThat(v.foreground()).isEqualTo("red");
        assertThat(v.background()).isEqualTo("blue");
        assertThat(PipelineRuns.maxLevelDifference(out, source)).isLessThan(255);
    }

    @Test
    void sizesThatAreNotMultiplesOf16AreRefused() {
        assertThatThrownBy(() -> pipeline.generate(GenerationRequest.textToImage("a", "", 72, 64, 2, 4,
                SchedulerKind.FLOW_MATCH_EULER, 0, 1), ProgressListener.NONE, new CancellationToken()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiples of 16");
    }

    @Test
    void aFolderWithoutVaeEncoderServesTextToImageOnly(@TempDir Path dir) throws IOException {
        Path copy = dir.resolve("qwen");
        try (Stream<Path> files = Files.walk(ParityFixtures.QWEN_MODEL)) {
            for (Path p : files.toList()) {
                Path t = copy.resolve(ParityFixtures.QWEN_MODEL.relativize(p).toString());
                if (p.toString().contains("vae_encoder") || p.getFileName().toString().endsWith(".png")) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        try (ImagePipeline textOnly = Pipelines.open(copy, SESSIONS)) {
            assertThat(textOnly.info().imageToImage()).isFalse();
            RgbImage any = new RgbImage(64, 64, new byte[64 * 64 * 3]);
            assertThatThrownBy(() -> textOnly.generate(new GenerationRequest("a", "", 64, 64, 4, 4,
                    SchedulerKind.FLOW_MATCH_EULER, 0, 1, any, 0.5), ProgressListener.NONE, new CancellationToken()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vae_encoder");
        }
        Files.delete(copy.resolve("transformer/model.onnx"));
        assertThatThrownBy(() -> Pipelines.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("transformer/model.onnx");
    }
}
