package io.qwenimage.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering of DESIGN.md held by the sources themselves: every reference from one of our packages to another
 * (imports and fully qualified names alike) forms a graph without cycles; the resources do not reach into the
 * queue; the engine and the queue are plain Java.
 */
class PackageDependenciesTest {

    static final Path MAIN = Path.of("src/main/java/io/qwenimage");
    static final Pattern OURS = Pattern.compile("io\\.qwenimage\\.([a-z]+)\\.[A-Za-z]");

    /** Package → the other packages of ours its sources name. */
    static Map<String, Set<String>> dependencies() {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = MAIN.relativize(file).getName(0).toString();
                if (pkg.endsWith(".java")) {
                    continue;
                }
                Set<String> deps = graph.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = OURS.matcher(withoutComments(Files.readString(file)));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        deps.add(m.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    private static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }

    @Test
    void thePackagesFormNoCycle() {
        Map<String, Set<String>> graph = dependencies();
        assertThat(graph).containsKeys("api", "service", "jobs", "engine", "errors", "security", "observability");
        List<String> cycles = new ArrayList<>();
        for (String start : graph.keySet()) {
            findCycle(graph, start, new ArrayList<>(List.of(start)), cycles);
        }
        assertThat(cycles).as("package cycles (" + graph + ")").isEmpty();
    }

    private static void findCycle(Map<String, Set<String>> graph, String at, List<String> path, List<String> cycles) {
        for (String next : graph.getOrDefault(at, Set.of())) {
            if (next.equals(path.get(0))) {
                cycles.add(String.join(" -> ", path) + " -> " + next);
            } else if (!path.contains(next) && next.compareTo(path.get(0)) > 0) {
                path.add(next);
                findCycle(graph, next, path, cycles);
                path.remove(path.size() - 1);
            }
        }
    }

    @Test
    void theResourcesGoThroughTheApplicationServiceNotTheQueue() {
        Map<String, Set<String>> graph = dependencies();
        assertThat(graph.get("api")).contains("service").doesNotContain("jobs", "store", "engine.onnx");
        assertThat(graph.get("security")).doesNotContain("api", "service", "observability");
        assertThat(graph.get("observability")).doesNotContain("api", "service");
    }

    @Test
    void theEngineAndTheQueueArePlainJava() throws IOException {
        Pattern framework = Pattern.compile("^import (static )?(io\\.quarkus|jakarta|io\\.vertx|org\\.jboss\\.resteasy"
                + "|io\\.smallrye|org\\.eclipse\\.microprofile)", Pattern.MULTILINE);
        List<String> offenders = new ArrayList<>();
        for (String pkg : List.of("engine", "jobs")) {
            try (Stream<Path> files = Files.walk(MAIN.resolve(pkg))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher m = framework.matcher(Files.readString(file));
                    if (m.find()) {
                        offenders.add(MAIN.relativize(file) + ": " + m.group());
                    }
                }
            }
        }
        assertThat(offenders).isEmpty();
        assertThat(dependencies().get("engine")).isEmpty();
        assertThat(dependencies().get("jobs")).containsOnly("engine");
    }
}
