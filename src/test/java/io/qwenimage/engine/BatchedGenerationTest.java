package io.qwenimage.engine;

import io.qwenimage.engine.pipeline.StableDiffusionPipeline;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qwenimage.engine.model.ModelBundle;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.onnx.Workspace;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Several requests through the same UNet calls (dynamic batching): each keeps its own prompt, seeds, guidance,
 * image count and cancellation, and gets the pictures it would get alone. Also: a worker that serves one size
 * over and over stops allocating tensor-sized memory.
 */
class BatchedGenerationTest {

    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());
    static ModelBundle model;
    static StableDiffusionPipeline pipeline;

    @BeforeAll
    static void open() {
        model = ModelBundle.open(Path.of("models/demo"), SESSIONS);
        pipeline = new StableDiffusionPipeline(model);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static GenerationRequest request(String prompt, String negative, double guidance, SchedulerKind kind, long seed,
                                     int images) {
        return GenerationRequest.textToImage(prompt, negative, 64, 64, 8, guidance, kind, seed, images);
    }

    /** Entry outcomes in entry order: a GenerationResult or the RuntimeException it failed with. */
    static List<Object> together(List<BatchEntry> entries) {
        List<Object> outcomes = new ArrayList<>(java.util.Collections.nCopies(entries.size(), null));
        pipeline.generateTogether(entries, new BatchResults() {
            @Override
            public void succeeded(int index, GenerationResult result) {
                assertThat(outcomes.get(index)).as("one outcome per entry").isNull();
                outcomes.set(index, result);
            }

            @Override
            public void failed(int index, RuntimeException error) {
                assertThat(outcomes.get(index)).as("one outcome per entry").isNull();
                outcomes.set(index, error);
            }
        });
        return outcomes;
    }

    static int maxDifference(RgbImage a, RgbImage b) {
        int worst = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            worst = Math.max(worst, Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF)));
        }
        return worst;
    }

    @ParameterizedTest
    @EnumSource(value = SchedulerKind.class, names = {"EULER_ANCESTRAL", "DPMPP_2M_KARRAS", "PNDM"})
    void eachRequestOfABatchGetsExactlyThePicturesItWouldGetAlone(SchedulerKind kind) {
        List<GenerationRequest> requests = List.of(
                request("a red circle on a blue background", "", 7.5, kind, 11, 1),
                request("a yellow square on a black background", "green", 5.0, kind, 400, 2),
                request("a white triangle on a purple background", "", 3.0, kind, 7, 1));
        List<BatchEntry> entries = new ArrayList<>();
        for (GenerationRequest r : requests) {
            entries.add(new BatchEntry(r, ProgressListener.NONE, new CancellationToken()));
        }
        List<Object> outcomes = together(entries);
        for (int j = 0; j < requests.size(); j++) {
            GenerationResult alone = pipeline.generate(requests.get(j), ProgressListener.NONE, new CancellationToken());
            GenerationResult batched = (GenerationResult) outcomes.get(j);
            assertThat(batched.seeds()).isEqualTo(alone.seeds());
            assertThat(batched.images()).hasSameSizeAs(alone.images());
            for (int i = 0; i < alone.images().size(); i++) {
                // ONNX Runtime's CPU kernels compute every batch row alike: identical pixels (on CUDA, other
                // batch sizes may select other kernels, so there only rounding-level differences are promised)
                assertThat(maxDifference(batched.images().get(i), alone.images().get(i)))
                        .as("request %d image %d", j, i).isLessThanOrEqualTo(0);
            }
        }
        assertThat(maxDifference(((GenerationResult) outcomes.get(0)).images().get(0),
                ((GenerationResult) outcomes.get(2)).images().get(0))).as("different requests, different pictures")
                .isGreaterThan(50);
    }

    @Test
    void aCancelledEntryLeavesAtTheNextStepAndTheOthersFinish() {
        CancellationToken cancelled = new CancellationToken();
        List<Integer> stepsOfCancelled = new ArrayList<>();
        List<Integer> stepsOfOther = new ArrayList<>();
        List<BatchEntry> entries = List.of(
                new BatchEntry(request("a red circle", "", 7.5, SchedulerKind.EULER, 1, 1), (step, total) -> {
                    stepsOfCancelled.add(step);
                    if (step == 3) {
                        cancelled.cancel("client went away");
                    }
                }, cancelled),
                new BatchEntry(request("a blue square", "", 7.5, SchedulerKind.EULER, 2, 1),
                        (step, total) -> stepsOfOther.add(step), new CancellationToken()));
        List<Object> outcomes = together(entries);
        assertThat(outcomes.get(0)).isInstanceOf(GenerationCancelledException.class);
        assertThat(((RuntimeException) outcomes.get(0)).getMessage()).contains("client went away");
        assertThat(stepsOfCancelled).containsExactly(1, 2, 3);
        assertThat(outcomes.get(1)).isInstanceOf(GenerationResult.class);
        assertThat(stepsOfOther).hasSize(8);
    }

    @Test
    void requestsThatCannotShareABatchAreRefused() {
        List<BatchEntry> entries = List.of(
                new BatchEntry(request("a red circle", "", 7.5, SchedulerKind.EULER, 1, 1), ProgressListener.NONE,
                        new CancellationToken()),
                new BatchEntry(request("a red circle", "", 7.5, SchedulerKind.DDIM, 1, 1), ProgressListener.NONE,
                        new CancellationToken()));
        assertThatThrownBy(() -> together(entries)).isInstanceOf(IllegalArgumentException.class);
        assertThat(BatchKey.of(io.qwenimage.engine.model.ModelFamily.STABLE_DIFFUSION, request("a", "", 7.5, SchedulerKind.EULER, 1, 1)))
                .isEqualTo(BatchKey.of(io.qwenimage.engine.model.ModelFamily.STABLE_DIFFUSION, request("b", "c", 4.0, SchedulerKind.EULER, 9, 3)))
                .isNotEqualTo(BatchKey.of(io.qwenimage.engine.model.ModelFamily.STABLE_DIFFUSION, request("a", "", 1.0, SchedulerKind.EULER, 1, 1)));
    }

    @Test
    void aWorkerServingOneSizeStopsAllocatingTensorMemory() throws Exception {
        Thread worker = new Thread(() -> {
            GenerationRequest r = request("a green circle", "", 7.5, SchedulerKind.DPMPP_2M_KARRAS, 3, 1);
            pipeline.generate(r, ProgressListener.NONE, new CancellationToken());
            Workspace workspace = Workspace.ofCurrentThread();
            long direct = workspace.directAllocations();
            long arrays = workspace.arrayAllocations();
            for (int i = 0; i < 5; i++) {
                pipeline.generate(request("a green circle", "", 7.5, SchedulerKind.DPMPP_2M_KARRAS, 10 + i, 1),
                        ProgressListener.NONE, new CancellationToken());
            }
            assertThat(workspace.directAllocations()).isEqualTo(direct).isGreaterThan(0);
            assertThat(workspace.arrayAllocations()).isEqualTo(arrays).isGreaterThan(0);
        });
        Throwable[] failure = new Throwable[1];
        worker.setUncaughtExceptionHandler((t, e) -> failure[0] = e);
        worker.start();
        worker.join();
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }
}
