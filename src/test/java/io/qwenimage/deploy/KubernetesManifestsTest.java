package io.qwenimage.deploy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders each kustomize overlay with {@code kubectl kustomize}, parses every object with the fabric8 model classes
 * (a field those classes do not know fails the test), checks what a rollout depends on, and calls the probe paths
 * on the running service.
 */
@QuarkusTest
class KubernetesManifestsTest {

    static final KubernetesSerialization YAML = new KubernetesSerialization();

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    static String render(String overlay) throws Exception {
        boolean required = "1".equals(System.getenv("QWEN_TEST_REQUIRE_KUBECTL"));
        boolean present = List.of(System.getenv().getOrDefault("PATH", "").split(":")).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "kubectl")));
        assertThat(present || !required).as("kubectl on PATH").isTrue();
        assumeTrue(present, "kubectl is not installed; .ci/run has it");
        // no flags: kustomize's default load restrictor, as kubectl apply -k, Argo CD and Flux use it
        Process p = new ProcessBuilder("kubectl", "kustomize", "k8s/overlays/" + overlay).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void theKedaOverlayScalesOnTheQueueWithAScaledObjectThatKedasSchemaAccepts() throws Exception {
        List<GenericKubernetesResource> objects = new ArrayList<>();
        for (String document : render("gpu-keda").split("(?m)^---$")) {
            if (!document.isBlank()) {
                objects.add(YAML.unmarshal(document, GenericKubernetesResource.class));
            }
        }
        assertThat(objects).extracting(GenericKubernetesResource::getKind).as("KEDA owns the HPA: the CPU one is gone")
                .contains("ScaledObject", "Deployment").doesNotContain("HorizontalPodAutoscaler");
        GenericKubernetesResource scaled = objects.stream().filter(o -> o.getKind().equals("ScaledObject"))
                .findFirst().orElseThrow();
        Map<String, Object> spec = scaled.get("spec");
        assertThat(((Map<?, ?>) spec.get("scaleTargetRef")).get("name")).isEqualTo("qwen-image-api");
        assertThat(((Number) spec.get("minReplicaCount")).intValue()).as("no scale to zero by default").isEqualTo(1);
        List<Map<String, Object>> triggers = scaled.get("spec", "triggers");
        assertThat(triggers).extracting(t -> t.get("type")).containsOnly("prometheus");
        assertThat(triggers).extracting(t -> ((Map<?, ?>) t.get("metadata")).get("query").toString())
                .anyMatch(q -> q.contains("qwen_queue_depth")).anyMatch(q -> q.contains("qwen_queue_wait_seconds"));
        // the cool-down and the scale-down window are longer than the GPU pod's startup budget (its largest load)
        Deployment deployment = YAML.unmarshal(objects.stream().filter(o -> o.getKind().equals("Deployment"))
                .findFirst().map(YAML::asYaml).orElseThrow(), Deployment.class);
        var startup = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getStartupProbe();
        int budget = startup.getPeriodSeconds() * startup.getFailureThreshold();
        assertThat(budget).as("the GPU startup probe's budget, s").isGreaterThanOrEqualTo(900);
        assertThat(((Number) spec.get("cooldownPeriod")).intValue()).isGreaterThan(budget);
        Map<String, Object> scaleDown = scaled.get("spec", "advanced", "horizontalPodAutoscalerConfig", "behavior",
                "scaleDown");
        assertThat(((Number) scaleDown.get("stabilizationWindowSeconds")).intValue()).isGreaterThan(budget);

        // KEDA's own schema (its API types, as the kubernetes-models npm package carries them) accepts it ...
        String json = YAML.asJson(List.of(scaled));
        assertThat(kedaCheck(json)).contains("valid ScaledObject/qwen-image-api").doesNotContain("invalid");
        // ... and would refuse a trigger whose threshold is not a string (KEDA's metadata is string to string)
        assertThat(kedaCheck(json.replace("\"threshold\":\"2\"", "\"threshold\":2")))
                .contains("invalid ScaledObject/qwen-image-api").contains("threshold must be string");
    }

    /** {@code src/test/js/keda-schema/check.mjs} on {@code json}: its output. */
    static String kedaCheck(String json) throws Exception {
        Path dir = Path.of("src/test/js/keda-schema");
        boolean installed = Files.isDirectory(dir.resolve("node_modules/@kubernetes-models/keda"));
        if ("1".equals(System.getenv("QWEN_TEST_REQUIRE_NODE"))) {
            assertThat(installed).as("npm ci in " + dir).isTrue();
        }
        assumeTrue(installed, "the KEDA schema package is not installed (cd " + dir + " && npm ci); .ci/run has it");
        Path file = Files.createTempFile("scaledobject", ".json");
        Files.writeString(file, json);
        Process p = new ProcessBuilder("node", "check.mjs", file.toString()).directory(dir.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void theConfigMapsSourceIsTheProductionConfigurationByteForByte() throws Exception {
        // the ConfigMap must be generated from inside k8s/ (kustomize's load restrictor): a copy, kept identical
        assertThat(Files.readAllBytes(Path.of("k8s/base/config.prod.yaml")))
                .as("k8s/base/config.prod.yaml is a copy of config/config.prod.yaml: cp config/config.prod.yaml "
                        + "k8s/base/")
                .isEqualTo(Files.readAllBytes(Path.of("config/config.prod.yaml")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu", "cpu-redis"})
    void eachOverlayRendersToKnownObjectsWithSafeRolloutsAndWorkingProbes(String overlay) throws Exception {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : render(overlay).split("(?m)^---$")) {
            if (!document.isBlank()) {
                HasMetadata object = YAML.unmarshal(document);
                noUnknownFields(object, object.getKind() + "/" + object.getMetadata().getName());
                objects.add(object);
            }
        }
        List<String> kinds = new ArrayList<>(List.of("ServiceAccount", "ConfigMap", "Service",
                "PersistentVolumeClaim", "Deployment", "PodDisruptionBudget", "HorizontalPodAutoscaler",
                "NetworkPolicy"));
        if (overlay.equals("cpu-redis")) {
            kinds.addAll(List.of("Deployment", "Service", "NetworkPolicy"));     // the Redis of the replicas
        }
        assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrderElementsOf(kinds);

        Deployment deployment = (Deployment) objects.stream().filter(o -> o instanceof Deployment
                && o.getMetadata().getName().equals("qwen-image-api")).findFirst().orElseThrow();
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        Container c = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo(overlay.equals("gpu") ? "qwen-image-api:latest-cuda"
                : "qwen-image-api:latest");
        assertThat(c.getPorts()).anyMatch(p -> p.getContainerPort() == 8000 && "http".equals(p.getName()));
        assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(c.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("sleep", "10");
        long shutdownTimeout = c.getEnv().stream().filter(e -> e.getName().equals("QUARKUS_SHUTDOWN_TIMEOUT"))
                .map(e -> seconds(e.getValue())).findFirst().orElseGet(KubernetesManifestsTest::defaultShutdownTimeout);
        assertThat(shutdownTimeout).as("admitted generations get their whole request deadline").isGreaterThanOrEqualTo(300);
        long preStop = Long.parseLong(c.getLifecycle().getPreStop().getExec().getCommand().get(1));
        assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .as("preStop pause + drain + %d s for workers to stop and answers to be written", STOP_ALLOWANCE)
                .isGreaterThanOrEqualTo(preStop + shutdownTimeout + STOP_ALLOWANCE);
        Map<String, Quantity> limits = c.getResources().getLimits();
        assertThat(limits).containsKey("memory");
        if (overlay.equals("cpu-redis")) {
            assertThat(c.getEnv()).anyMatch(e -> e.getName().equals("QWEN_JOBS_STORE") && e.getValue().equals("redis"))
                    .anyMatch(e -> e.getName().equals("QUARKUS_REDIS_HOSTS")
                            && e.getValue().equals("redis://qwen-redis:6379"));
            var api = (io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy) objects.stream()
                    .filter(o -> o.getMetadata().getName().equals("qwen-image-api")
                            && o.getKind().equals("NetworkPolicy")).findFirst().orElseThrow();
            assertThat(api.getSpec().getEgress()).as("the API may reach Redis")
                    .anyMatch(e -> e.getPorts().stream().anyMatch(port -> port.getPort().getIntVal() == 6379));
        }
        if (overlay.equals("gpu")) {
            assertThat(limits.get("nvidia.com/gpu").getAmount()).isEqualTo("1");
            assertThat(c.getEnv()).anyMatch(e -> e.getName().equals("QWEN_MODEL_DEVICE")
                    && e.getValue().equals("cuda"));
            assertThat(deployment.getSpec().getTemplate().getSpec().getTolerations()).isNotEmpty();
        }
        for (var probe : List.of(c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe())) {
            given().get(probe.getHttpGet().getPath()).then().statusCode(200);
        }
    }

    /** After the drain: up to 10 s for the workers to leave their step, 5 s to write the last answers. */
    static final long STOP_ALLOWANCE = 15;

    @Test
    void composeGivesTheDrainItsTimeBeforeItKills() throws Exception {
        String compose = Files.readString(Path.of("docker-compose.yml"));
        Matcher grace = Pattern.compile("stop_grace_period: (\\w+)").matcher(compose);
        assertThat(grace.find()).isTrue();
        assertThat(seconds(grace.group(1))).isGreaterThanOrEqualTo(defaultShutdownTimeout() + STOP_ALLOWANCE);
    }

    /** quarkus.shutdown.timeout as shipped in application.properties, in seconds. */
    static long defaultShutdownTimeout() {
        try (var in = Files.newInputStream(
                Path.of("src/main/resources/application.properties"))) {
            Properties p = new Properties();
            p.load(in);
            return seconds(p.getProperty("quarkus.shutdown.timeout"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "300s", "5m", "90" as seconds. */
    static long seconds(String duration) {
        String d = duration.trim();
        if (d.endsWith("m")) {
            return 60 * Long.parseLong(d.substring(0, d.length() - 1));
        }
        return Long.parseLong(d.endsWith("s") ? d.substring(0, d.length() - 1) : d);
    }

    @org.junit.jupiter.api.Test
    void aMisspelledFieldIsCaught() {
        HasMetadata typo = YAML.unmarshal("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
                + "spec:\n  replicaz: 2\n  template:\n    spec:\n      containers:\n        - name: c\n"
                + "          imagePullPolicyy: Always\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> noUnknownFields(typo, "Deployment/x"))
                .hasMessageContaining("unknown fields at Deployment/x.Spec");
    }

    /** Fails on any field the fabric8 model did not recognise (it would land in additionalProperties). */
    static void noUnknownFields(Object node, String path) throws Exception {
        if (node == null) {
            return;
        }
        if (node instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                noUnknownFields(item, path + "[" + i++ + "]");
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            for (var e : map.entrySet()) {
                noUnknownFields(e.getValue(), path + "." + e.getKey());
            }
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : node.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getName().equals("getClass")) {
                continue;
            }
            Object value = m.invoke(node);
            if (m.getName().equals("getAdditionalProperties")) {
                assertThat((Map<?, ?>) value).as("unknown fields at " + path).isNullOrEmpty();
            } else {
                noUnknownFields(value, path + "." + m.getName().substring(3));
            }
        }
    }
}
