package io.qwenimage.engine;

import io.qwenimage.engine.pipeline.StableDiffusionPipeline;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qwenimage.engine.model.ModelBundle;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo model exported under other exporters' conventions (legacy int32/int64, fp16 with external weights)
 * gives the same pictures; broken model folders fail with one clear message naming the file.
 */
class ModelConventionsTest {

    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());
    static final Path MAIN = Path.of("models/demo");

    static List<RgbImage> generate(Path folder, SchedulerKind kind) {
        try (ModelBundle model = ModelBundle.open(folder, SESSIONS)) {
            StableDiffusionPipeline pipeline = new StableDiffusionPipeline(model);
            return Stream.of("a red circle on a blue background", "a yellow triangle on a black background",
                    "a white square").map(p -> pipeline.generate(GenerationRequest.textToImage(p, "", 64, 64, 20, 7.5,
                    kind, 3, 1), ProgressListener.NONE, new CancellationToken()).images().get(0)).toList();
        }
    }

    @Test
    void legacyAndFp16ExportsDrawTheSamePictures() {
        List<RgbImage> main = generate(MAIN, SchedulerKind.EULER);
        List<RgbImage> legacy = generate(Path.of("src/test/resources/models/demo-legacy"), SchedulerKind.EULER);
        List<RgbImage> fp16 = generate(Path.of("src/test/resources/models/demo-fp16"), SchedulerKind.EULER);
        for (int i = 0; i < main.size(); i++) {
            double legacyDiff = DemoModelGenerationTest.meanAbsDiff(main.get(i), legacy.get(i));
            double fp16Diff = DemoModelGenerationTest.meanAbsDiff(main.get(i), fp16.get(i));
            System.out.printf("picture %d: legacy %.3f/255, fp16 %.3f/255%n", i, legacyDiff, fp16Diff);
            assertThat(legacyDiff).isLessThanOrEqualTo(2.0);
            assertThat(fp16Diff).isLessThanOrEqualTo(6.0);
        }
    }

    @Test
    void bundleReportsWhatItRead() {
        try (ModelBundle model = ModelBundle.open(MAIN, SESSIONS)) {
            assertThat(model.info().nativeSize()).isEqualTo(64);
            assertThat(model.info().dtype()).isEqualTo("float32");
            assertThat(model.info().predictionType()).isEqualTo("epsilon");
            assertThat(model.info().imageToImage()).isTrue();
            assertThat(model.info().scalingFactor()).isNotEqualTo(ModelBundle.DEFAULT_SCALING_FACTOR);
            assertThat(model.vaeEncoder().outputName()).isEqualTo("latent_parameters");
        }
        try (ModelBundle legacy = ModelBundle.open(Path.of("src/test/resources/models/demo-legacy"), SESSIONS);
             ModelBundle fp16 = ModelBundle.open(Path.of("src/test/resources/models/demo-fp16"), SESSIONS)) {
            assertThat(legacy.textEncoder().idsType()).isEqualTo(ai.onnxruntime.OnnxJavaType.INT32);
            assertThat(legacy.vaeEncoder().outputName()).isEqualTo("latent_sample");
            assertThat(fp16.info().dtype()).isEqualTo("float16");
        }
    }

    @Test
    void theDemoModelIsServedFromTheClasspath(@TempDir Path dir) {
        try (ModelBundle demo = ModelBundle.openDemo(dir, SESSIONS)) {
            assertThat(demo.info().id()).isEqualTo("demo");
            assertThat(demo.info().nativeSize()).isEqualTo(64);
            RgbImage img = new StableDiffusionPipeline(demo).generate(GenerationRequest.textToImage("a red circle", "", 64,
                    64, 4, 7.5, SchedulerKind.EULER, 1, 1), ProgressListener.NONE, new CancellationToken())
                    .images().get(0);
            assertThat(img.width()).isEqualTo(64);
        }
    }

    @Test
    void aMissingPartNamesTheFile(@TempDir Path dir) throws IOException {
        Path copy = copyModel(dir);
        Files.delete(copy.resolve("unet/model.onnx"));
        assertThatThrownBy(() -> ModelBundle.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("unet/model.onnx").hasMessageContaining("missing");
    }

    @Test
    void aTruncatedGraphNamesTheFile(@TempDir Path dir) throws IOException {
        Path copy = copyModel(dir);
        Path unet = copy.resolve("unet/model.onnx");
        byte[] bytes = Files.readAllBytes(unet);
        Files.write(unet, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        assertThatThrownBy(() -> ModelBundle.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("unet/model.onnx").hasMessageContaining("cannot load");
    }

    @Test
    void aGraphWithTheWrongInputsNamesTheFileAndTheInput(@TempDir Path dir) throws IOException {
        Path copy = copyModel(dir);
        // a VAE decoder where the UNet should be: it has latent_sample, not sample/timestep
        Files.copy(copy.resolve("vae_decoder/model.onnx"), copy.resolve("unet/model.onnx"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> ModelBundle.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("unet/model.onnx").hasMessageContaining("has no input 'sample'");
    }

    @Test
    void malformedJsonNamesTheFile(@TempDir Path dir) throws IOException {
        Path copy = copyModel(dir);
        Files.writeString(copy.resolve("scheduler/scheduler_config.json"), "{\"beta_schedule\": ");
        assertThatThrownBy(() -> ModelBundle.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("scheduler_config.json").hasMessageContaining("not valid JSON");
        Files.writeString(copy.resolve("scheduler/scheduler_config.json"), "{\"beta_schedule\": \"cosine\"}");
        assertThatThrownBy(() -> ModelBundle.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("scheduler_config.json").hasMessageContaining("cosine");
        Files.delete(copy.resolve("model_index.json"));
        assertThatThrownBy(() -> ModelBundle.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("model_index.json").hasMessageContaining("missing");
    }

    @Test
    void aFolderThatIsNotThereSaysSo() {
        assertThatThrownBy(() -> ModelBundle.open(Path.of("no/such/model"), SESSIONS))
                .isInstanceOf(ModelException.class).hasMessageContaining("no/such/model");
    }

    @Test
    void aFamilyWeDoNotServeIsRefusedAtStartByName(@TempDir Path dir) throws IOException {
        Path copy = copyModel(dir);
        Path index = copy.resolve("model_index.json");
        Files.writeString(index, Files.readString(index).replace("\"StableDiffusionPipeline\"",
                "\"KandinskyV22Pipeline\""));
        assertThatThrownBy(() -> ModelBundle.open(copy, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining("model_index.json").hasMessageContaining("KandinskyV22Pipeline (Kandinsky 2.2)");
    }

    static Path copyModel(Path dir) throws IOException {
        return io.qwenimage.testing.ModelFolders.copy(MAIN, dir.resolve("model"));
    }
}
