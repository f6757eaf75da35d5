package io.qwenimage.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Time from {@code java -jar} to {@code /q/health/ready} answering 200 (demo model loaded and warmed up), over
 * {@code -Druns=5} starts; the process is stopped between runs.
 */
public final class StartupTime {

    private StartupTime() {
    }

    public static void main(String[] args) throws Exception {
        int runs = Integer.getInteger("runs", 5);
        Report report = new Report("startup");
        report.format("`java -jar %s`, demo model, defaults; %d starts.", Report.jar(), runs);
        report.line("");
        Percentiles seconds = new Percentiles();
        StringBuilder each = new StringBuilder();
        for (int i = 0; i < runs; i++) {
            try (ServiceProcess service = ServiceProcess.start(Report.jar(), 8194, List.of(),
                    Path.of("target/bench-startup.log"))) {
                double s = service.awaitReady(Duration.ofMinutes(5));
                seconds.add(s);
                each.append(String.format(java.util.Locale.ROOT, "%.2f ", s));
            }
        }
        report.format("Start to ready: median %.2f s (runs: %s s).", seconds.median(), each.toString().trim());
        report.save();
    }
}
