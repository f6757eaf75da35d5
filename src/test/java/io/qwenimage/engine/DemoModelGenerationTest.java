package io.qwenimage.engine;

import io.qwenimage.engine.pipeline.StableDiffusionPipeline;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qwenimage.engine.model.ModelBundle;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The engine end to end on the demo model: pictures that answer their prompts, for every scheduler, judged the
 * way tools/demo-model judges them.
 */
class DemoModelGenerationTest {

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

    record Spec(String shape, String fg, String bg) {
        String prompt() {
            return DemoPictureJudge.article(fg) + " " + fg + " " + shape + " on " + DemoPictureJudge.article(bg) + " "
                    + bg + " background";
        }
    }

    /** 60 prompts: every shape and every foreground colour, backgrounds spread over the other colours. */
    static List<Spec> prompts() {
        List<String> colours = new ArrayList<>(DemoPictureJudge.COLOURS.keySet());
        List<Spec> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            int fg = i % 8;
            out.add(new Spec(DemoPictureJudge.SHAPES.get(i % 3), colours.get(fg),
                    colours.get((fg + 1 + (i / 8) % 7) % 8)));
        }
        return out;
    }

    static RgbImage generate(String prompt, SchedulerKind kind, int steps, double guidance, long seed) {
        GenerationRequest r = GenerationRequest.textToImage(prompt, "", 64, 64, steps, guidance, kind, seed, 1);
        return pipeline.generate(r, ProgressListener.NONE, new CancellationToken()).images().get(0);
    }

    /**
     * 20 steps, guidance 7.5. PNDM runs at guidance 3: its fourth-order extrapolation of the guided noise overshoots
     * on this small model at 7.5 with 20 steps (diffusers' own PLMS in PyTorch draws 8 of 24 foregrounds right
     * there too, see tools/demo-model/README.md), while at guidance 3, or at 50 steps, it is as good as the rest.
     */
    @ParameterizedTest(name = "{0} guidance {1}")
    @CsvSource({"EULER, 7.5", "EULER_ANCESTRAL, 7.5", "DDIM, 7.5", "DPMPP_2M_KARRAS, 7.5", "PNDM, 3.0"})
    void picturesAnswerTheirPrompts(SchedulerKind kind, double guidance) {
        int fg = 0;
        int bg = 0;
        int shape = 0;
        List<Spec> specs = prompts();
        for (int i = 0; i < specs.size(); i++) {
            Spec s = specs.get(i);
            DemoPictureJudge.Verdict v = DemoPictureJudge.judge(generate(s.prompt(), kind, 20, guidance, 1000 + i));
            fg += v.foreground().equals(s.fg()) ? 1 : 0;
            bg += v.background().equals(s.bg()) ? 1 : 0;
            shape += s.shape().equals(v.shape()) ? 1 : 0;
        }
        System.out.printf("%s: foreground %d/60, background %d/60, shape %d/60%n", kind, fg, bg, shape);
        assertThat(fg).as("foreground right").isGreaterThanOrEqualTo(54);
        assertThat(bg).as("background right").isGreaterThanOrEqualTo(57);
        assertThat(shape).as("shape right").isGreaterThanOrEqualTo(48);
    }

    @Test
    void fewStepSettingsWithoutGuidanceProduceAPicture() {
        for (SchedulerKind kind : List.of(SchedulerKind.LCM, SchedulerKind.EULER_ANCESTRAL, SchedulerKind.DPMPP_2M)) {
            RgbImage img = generate("a red circle", kind, 4, 1.0, 5);
            assertThat(img.width()).isEqualTo(64);
            assertThat(img.height()).isEqualTo(64);
            assertThat(DemoPictureJudge.judge(img).foreground()).isNotNull();
        }
    }

    static RgbImage generate(String prompt, String negative, double guidance) {
        GenerationRequest r = GenerationRequest.textToImage(prompt, negative, 64, 64, 8, guidance, SchedulerKind.EULER,
                11, 1);
        return pipeline.generate(r, ProgressListener.NONE, new CancellationToken()).images().get(0);
    }

    /**
     * diffusers' rule (issue 17): guidance_scale at or below 1 is no classifier-free guidance at all: one conditional
     * UNet row, no unconditional pass, so the negative prompt has no effect and 0, 0.5 and 1 draw the same picture
     * (guided at 0.5 it would be uncond + 0.5 (cond - uncond), another picture). Above 1 the negative prompt counts.
     */
    @Test
    void guidanceAtOrBelowOneIsOneConditionalPassThatIgnoresTheNegativePrompt() {
        String prompt = "a green triangle on a white background";
        RgbImage one = generate(prompt, "", 1.0);
        assertThat(generate(prompt, "a red square", 1.0).rgb()).as("negative prompt at guidance 1")
                .isEqualTo(one.rgb());
        assertThat(generate(prompt, "a red square", 0.5).rgb()).as("guidance 0.5").isEqualTo(one.rgb());
        assertThat(generate(prompt, "", 0.0).rgb()).as("guidance 0").isEqualTo(one.rgb());

        RgbImage guided = generate(prompt, "", 3.0);
        assertThat(meanAbsDiff(guided, one)).as("guidance 3 vs 1").isGreaterThan(1.0);
        assertThat(meanAbsDiff(generate(prompt, "a white triangle", 3.0), guided)).as("negative prompt at guidance 3")
                .isGreaterThan(0.5);
    }

    @Test
    void sameSeedSamePixelsOtherSeedOtherPixels() {
        RgbImage a = generate("a blue square on a yellow background", SchedulerKind.EULER_ANCESTRAL, 10, 7.5, 42);
        RgbImage b = generate("a blue square on a yellow background", SchedulerKind.EULER_ANCESTRAL, 10, 7.5, 42);
        RgbImage c = generate("a blue square on a yellow background", SchedulerKind.EULER_ANCESTRAL, 10, 7.5, 43);
        assertThat(b.rgb()).isEqualTo(a.rgb());
        assertThat(c.rgb()).isNotEqualTo(a.rgb());
    }

    @Test
    void imageIOfABatchIsTheSingleImageOfSeedPlusI() {
        GenerationRequest batch = GenerationRequest.textToImage("a green triangle", "", 64, 64, 8, 7.5,
                SchedulerKind.EULER_ANCESTRAL, 7, 3);
        GenerationResult result = pipeline.generate(batch, ProgressListener.NONE, new CancellationToken());
        assertThat(result.seeds()).containsExactly(7L, 8L, 9L);
        RgbImage single = generate("a green triangle", SchedulerKind.EULER_ANCESTRAL, 8, 7.5, 9);
        double diff = meanAbsDiff(result.images().get(2), single);
        assertThat(diff).isLessThan(1.0);
    }

    @Test
    void sizesThatAreNotMultiplesOfEightAreCroppedToTheRequest() {
        GenerationRequest r = GenerationRequest.textToImage("a white square", "", 70, 45, 4, 7.5,
                SchedulerKind.EULER, 1, 1);
        RgbImage img = pipeline.generate(r, ProgressListener.NONE, new CancellationToken()).images().get(0);
        assertThat(img.width()).isEqualTo(70);
        assertThat(img.height()).isEqualTo(45);
    }

    @Test
    void progressIsReportedPerStep() {
        List<Integer> steps = new ArrayList<>();
        GenerationRequest r = GenerationRequest.textToImage("red circle", "", 64, 64, 6, 7.5, SchedulerKind.PNDM, 1, 1);
        pipeline.generate(r, (step, total) -> steps.add(step * 100 + total), new CancellationToken());
        assertThat(steps).containsExactly(107, 207, 307, 407, 507, 607, 707);    // PNDM: N + 1 evaluations
    }

    @Test
    void cancellingFromAnotherThreadStopsWithinOneStep() throws Exception {
        CancellationToken token = new CancellationToken();
        List<Integer> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        GenerationRequest r = GenerationRequest.textToImage("a red circle", "", 512, 512, 50, 7.5,
                SchedulerKind.EULER, 1, 1);
        Thread canceller = new Thread(() -> {
            while (seen.isEmpty()) {
                Thread.onSpinWait();
            }
            token.cancel("cancelled by test");
        });
        canceller.start();
        assertThatThrownBy(() -> pipeline.generate(r, (step, total) -> seen.add(step), token))
                .isInstanceOf(GenerationCancelledException.class).hasMessage("cancelled by test");
        canceller.join();
        assertThat(seen.size()).isLessThanOrEqualTo(2);
        // the same pipeline serves the next request at once
        assertThat(generate("a red circle", SchedulerKind.EULER, 4, 7.5, 1).width()).isEqualTo(64);
    }

    static double meanAbsDiff(RgbImage a, RgbImage b) {
        long sum = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            sum += Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF));
        }
        return sum / (double) a.rgb().length;
    }
}
