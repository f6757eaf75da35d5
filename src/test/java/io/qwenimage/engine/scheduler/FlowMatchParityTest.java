package io.qwenimage.engine.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.qwenimage.engine.ModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The flow-matching Euler scheduler against diffusers (issue 18): {@code flow-match-tables.json}, written by
 * {@code tools/scheduler-reference/flow_match_reference.py} from diffusers' formulas (FlowMatchEulerDiscreteScheduler
 * as QwenImagePipeline drives it), for Qwen-Image's config, FLUX.1-dev's values, the linear time shift and a static
 * shift, at six sizes, N = 1 … 50 and strength 1, 0.9, 0.75, 0.6: mu, the start index, sigmas and timesteps to
 * 1e-5, and a trajectory of a fixed fake velocity model to 1e-4.
 */
class FlowMatchParityTest {

    static final JsonNode TABLES = DiffusersParityTest.table("flow-match-tables.json");

    static Stream<JsonNode> cases() {
        return DiffusersParityTest.cases(TABLES);
    }

    static SchedulerConfig config(String name) {
        JsonNode c = TABLES.path("configs").path(name);
        return SchedulerConfig.flowMatching(new FlowMatchConfig(1000, c.path("shift").asDouble(),
                c.path("use_dynamic_shifting").asBoolean(), c.path("base_shift").asDouble(),
                c.path("max_shift").asDouble(), c.path("base_image_seq_len").asInt(),
                c.path("max_image_seq_len").asInt(), c.path("time_shift_type").asText().equals("exponential"),
                c.path("shift_terminal").isNull() ? null : c.path("shift_terminal").asDouble()));
    }

    static Stream<String> pipelineSchedules() {
        return java.util.stream.StreamSupport.stream(java.util.Spliterators.spliteratorUnknownSize(
                TABLES.path("pipeline_schedules").fieldNames(), 0), false);
    }

    /**
     * The schedules as each family's pipeline asks for them: SD3 passes no sigmas (the training table's, shifted
     * again), FLUX passes linspace(1, 1/N, N) (dev shifted by mu, schnell not at all); with the img2img starts.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pipelineSchedules")
    void eachFamilysPipelineScheduleMatchesDiffusers(String name) {
        JsonNode c = TABLES.path("pipeline_schedules").path(name);
        JsonNode k = TABLES.path("pipeline_configs").path(c.path("config").asText());
        FlowMatchConfig flow = new FlowMatchConfig(1000, k.path("shift").asDouble(),
                k.path("use_dynamic_shifting").asBoolean(), k.path("base_shift").asDouble(),
                k.path("max_shift").asDouble(), k.path("base_image_seq_len").asInt(),
                k.path("max_image_seq_len").asInt(), true, null);
        if (name.startsWith("sd3")) {
            flow = flow.withBaseSigmas(FlowMatchConfig.BaseSigmas.TRAINING_TABLE);
        }
        SchedulerConfig config = SchedulerConfig.flowMatching(flow);
        int steps = c.path("steps").asInt();
        int tokens = (c.path("width").asInt() / 16) * (c.path("height").asInt() / 16);
        FlowMatchEulerScheduler s = (FlowMatchEulerScheduler) SchedulerKind.FLOW_MATCH_EULER.create(config, steps,
                1.0, tokens);
        for (int i = 0; i <= steps; i++) {
            close(name + " sigma " + i, s.sigma(i), c.path("sigmas").get(i).asDouble(), 1e-6);
        }
        for (int i = 0; i < steps; i++) {
            close(name + " timestep " + i, s.timestep(i), c.path("timesteps").get(i).asDouble(), 1e-4);
        }
        var starts = c.path("img2img_start").fields();
        while (starts.hasNext()) {
            var e = starts.next();
            double strength = Double.parseDouble(e.getKey());
            assertThat(steps - SchedulerKind.FLOW_MATCH_EULER.create(config, steps, strength, tokens).steps())
                    .as(name + " start at strength " + strength).isEqualTo(e.getValue().asInt());
        }
    }

    @ParameterizedTest(name = "{index}")
    @MethodSource("cases")
    void matchesDiffusers(JsonNode c) {
        SchedulerConfig config = config(c.path("config").asText());
        int steps = c.path("steps").asInt();
        double strength = c.path("strength").asDouble();
        int tokens = c.path("image_tokens").asInt();
        String what = c.path("config").asText() + " " + c.path("width").asInt() + "x" + c.path("height").asInt()
                + " N=" + steps + " s=" + strength;
        assertThat(config.flow().mu(tokens)).as(what + " mu").isCloseTo(c.path("mu").asDouble(),
                org.assertj.core.api.Assertions.within(1e-12));
        if (!c.path("refused").isNull()) {
            assertThatThrownBy(() -> SchedulerKind.FLOW_MATCH_EULER.create(config, steps, strength, tokens))
                    .as(what).isInstanceOf(ScheduleRefusedException.class);
            return;
        }
        FlowMatchEulerScheduler s = (FlowMatchEulerScheduler) SchedulerKind.FLOW_MATCH_EULER.create(config, steps,
                strength, tokens);
        assertThat(steps - s.steps()).as(what + " start").isEqualTo(c.path("start").asInt());
        for (int i = 0; i <= s.steps(); i++) {
            close(what + " sigma " + i, s.sigma(i), c.path("sigmas").get(i).asDouble(), 1e-5);
        }
        for (int i = 0; i < s.steps(); i++) {
            close(what + " timestep " + i, s.timestep(i), c.path("timesteps").get(i).asDouble(), 1e-5);
        }
        float[] x = new float[8];
        float[] eps = new float[8];
        float[] x0 = new float[8];
        for (int k = 0; k < 8; k++) {
            eps[k] = (float) (1.2 * Math.sin(1.7 * k + 0.3));
            x0[k] = (float) (0.4 * Math.sin(0.5 * k + 0.2));
        }
        if (strength < 1) {
            System.arraycopy(x0, 0, x, 0, 8);
            s.addNoise(x, eps);
        } else {
            System.arraycopy(eps, 0, x, 0, 8);
        }
        for (int i = 0; i < s.steps(); i++) {
            double sigma = (float) (s.timestep(i) / 1000);
            float[] v = new float[8];
            for (int k = 0; k < 8; k++) {
                v[k] = (float) (0.5 * x[k] * Math.cos(3 * sigma) + 0.2 * Math.sin(0.37 * k + 2 * sigma));
            }
            s.step(i, v, x, null);
            if (i < c.path("trajectory").size()) {
                for (int k = 0; k < 8; k++) {
                    close(what + " after step " + (i + 1) + " [" + k + "]", x[k],
                            c.path("trajectory").get(i).get(k).asDouble(), 1e-4);
                }
            }
        }
        for (int k = 0; k < 8; k++) {
            close(what + " final [" + k + "]", x[k], c.path("final").get(k).asDouble(), 1e-4);
        }
    }

    static void close(String what, double actual, double expected, double tolerance) {
        DiffusersParityTest.close(what, actual, expected, tolerance);
    }

    @Test
    void qwenImageAnchor() {
        // flow-matching-facts.md: 1024x1024, 50 steps, Qwen-Image's config
        FlowMatchConfig qwen = FlowMatchConfig.qwenImage();
        assertThat(qwen.mu(64 * 64)).isCloseTo(0.693548, org.assertj.core.api.Assertions.within(1e-6));
        FlowMatchEulerScheduler s = (FlowMatchEulerScheduler) SchedulerKind.FLOW_MATCH_EULER.create(
                SchedulerConfig.flowMatching(qwen), 50, 1.0, 64 * 64);
        double[] head = {1, 0.98970, 0.97919, 0.96847};
        for (int i = 0; i < head.length; i++) {
            close("sigma " + i, s.sigma(i), head[i], 1e-5);
        }
        close("sigma 49", s.sigma(49), 0.02, 1e-6);
        assertThat(s.sigma(50)).isZero();
    }

    @Test
    void aFlowMatchingFileIsReadAndOnlyItsSchedulerIsOffered(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("scheduler_config.json");
        Files.writeString(f, "{\"_class_name\": \"FlowMatchEulerDiscreteScheduler\", \"base_image_seq_len\": 256, "
                + "\"base_shift\": 0.5, \"invert_sigmas\": false, \"max_image_seq_len\": 8192, \"max_shift\": 0.9, "
                + "\"num_train_timesteps\": 1000, \"shift\": 1.0, \"shift_terminal\": 0.02, "
                + "\"stochastic_sampling\": false, \"time_shift_type\": \"exponential\", "
                + "\"use_beta_sigmas\": false, \"use_dynamic_shifting\": true, \"use_exponential_sigmas\": false, "
                + "\"use_karras_sigmas\": false}");
        SchedulerConfig c = SchedulerConfig.read(f);
        assertThat(c.flow()).isEqualTo(FlowMatchConfig.qwenImage());
        assertThat(SchedulerKind.availableFor(c)).containsExactly(SchedulerKind.FLOW_MATCH_EULER);
        assertThatThrownBy(() -> SchedulerKind.EULER.create(c, 20, 1.0)).isInstanceOf(ScheduleRefusedException.class)
                .hasMessageContaining("flow_match_euler only");
        assertThat(SchedulerKind.availableFor(SchedulerConfig.stableDiffusion15()))
                .doesNotContain(SchedulerKind.FLOW_MATCH_EULER);

        Files.writeString(f, "{\"_class_name\": \"FlowMatchEulerDiscreteScheduler\", \"use_beta_sigmas\": true}");
        assertThatThrownBy(() -> SchedulerConfig.read(f)).isInstanceOf(ModelException.class)
                .hasMessageContaining("use_beta_sigmas");
        Files.writeString(f, "{\"_class_name\": \"FlowMatchEulerDiscreteScheduler\", \"time_shift_type\": \"cubic\"}");
        assertThatThrownBy(() -> SchedulerConfig.read(f)).isInstanceOf(ModelException.class)
                .hasMessageContaining("time_shift_type");
    }
}
