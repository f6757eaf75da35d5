package io.qwenimage.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.engine.ModelException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A folder's model_index.json selects its pipeline family; families we do not serve are refused by name. */
class ModelFamilyTest {

    static final Path FILE = Path.of("model_index.json");

    static ModelFamily of(String json) throws Exception {
        return ModelFamily.of(new ObjectMapper().readTree(json), FILE);
    }

    @ParameterizedTest
    @CsvSource({"StableDiffusionPipeline, STABLE_DIFFUSION", "OnnxStableDiffusionPipeline, STABLE_DIFFUSION",
        "ORTStableDiffusionPipeline, STABLE_DIFFUSION", "LatentConsistencyModelPipeline, STABLE_DIFFUSION",
        "QwenImagePipeline, QWEN_IMAGE", "QwenImageImg2ImgPipeline, QWEN_IMAGE",
        "StableDiffusionXLPipeline, STABLE_DIFFUSION_XL", "ORTStableDiffusionXLPipeline, STABLE_DIFFUSION_XL",
        "StableDiffusionXLImg2ImgPipeline, STABLE_DIFFUSION_XL", "StableDiffusion3Pipeline, STABLE_DIFFUSION_3",
        "ORTStableDiffusion3Pipeline, STABLE_DIFFUSION_3", "StableDiffusion3Img2ImgPipeline, STABLE_DIFFUSION_3",
        "FluxPipeline, FLUX", "ORTFluxPipeline, FLUX", "FluxImg2ImgPipeline, FLUX"})
    void servedFamiliesAreRecognised(String className, ModelFamily family) throws Exception {
        assertThat(of("{\"_class_name\": \"" + className + "\"}")).isEqualTo(family);
    }

    @ParameterizedTest
    @CsvSource({"StableDiffusionUpscalePipeline, SD x4 upscaling", "FluxFillPipeline, FLUX.1 Fill",
        "QwenImageEditPipeline, Qwen-Image-Edit"})
    void knownFamiliesWeDoNotServeAreRefusedByName(String className, String name) {
        assertThatThrownBy(() -> of("{\"_class_name\": \"" + className + "\"}")).isInstanceOf(ModelException.class)
                .hasMessageContaining(className).hasMessageContaining(name).hasMessageContaining("does not serve")
                .hasMessageContaining("model_index.json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"_class_name\": \"MyOwnPipeline\"}", "{}", "{\"_class_name\": 3}"})
    void unknownOrMissingClassNamesAreRefused(String json) {
        assertThatThrownBy(() -> of(json)).isInstanceOf(ModelException.class)
                .hasMessageContaining("model_index.json");
    }
}
