package io.qwenimage.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

/** A tool's results: printed as they come and kept in {@code bench/results/<name>.md} with the machine's details. */
public final class Report {

    private final StringBuilder text = new StringBuilder();
    private final Path file;

    public Report(String name) {
        this.file = Path.of(System.getProperty("qwen.bench.results", "bench/results"), name + ".md");
        line("# " + name + " — " + Instant.now());
        line("");
        line(String.format(Locale.ROOT, "Machine: %d cores (%s), %s %s, Java %s, max heap of this tool %d MB",
                Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20));
        line("");
    }

    public void line(String s) {
        System.out.println(s);
        text.append(s).append('\n');
    }

    public void format(String format, Object... args) {
        line(String.format(Locale.ROOT, format, args));
    }

    public void save() throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        System.out.println("written to " + file);
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "unknown CPU";
    }

    /** The service jar to start: {@code -Dqwen.bench.jar}, default the build's. */
    public static Path jar() {
        return Path.of(System.getProperty("qwen.bench.jar", "target/quarkus-app/quarkus-run.jar"));
    }
}
