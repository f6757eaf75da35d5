package io.qwenimage.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The catalogue is the only place error codes are spelled, and README.md's "Errors" table documents each of its
 * codes under its status.
 */
public class ErrorCatalogueTest {

    private static final Path MAIN = Path.of("src/main/java/io/qwenimage");

    @Test
    void readmeDocumentsEveryCodeOfTheCatalogueUnderItsStatus() throws IOException {
        Set<String> documented = documentedErrors();
        List<String> missing = Arrays.stream(ErrorCode.values()).map(c -> c.status() + " " + c.wireCode())
                .filter(c -> !documented.contains(c)).toList();
        assertThat(missing).as("codes of ErrorCode missing from README's error table").isEmpty();
    }

    /** README.md's error table as "status CODE" pairs. */
    public static Set<String> documentedErrors() throws IOException {
        Set<String> documented = new HashSet<>();
        Pattern row = Pattern.compile("^\\| (\\d{3}) \\| ([^|]*)\\|");
        for (String line : Files.readAllLines(Path.of("README.md"))) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                Matcher code = Pattern.compile("`([A-Z_]+)`").matcher(m.group(2));
                while (code.find()) {
                    documented.add(m.group(1) + " " + code.group(1));
                }
            }
        }
        return documented;
    }

    @Test
    void noCodeIsSpelledOutsideTheCatalogue() throws IOException {
        Set<String> codes = new HashSet<>();
        Arrays.stream(ErrorCode.values()).forEach(c -> codes.add(c.wireCode()));
        // the metrics' labels for requests answered before routing are route names, not error codes
        Path routeLabels = MAIN.resolve("observability/RouteLabels.java");
        List<String> spelled = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (f.startsWith(MAIN.resolve("errors")) || f.equals(routeLabels)) {
                    continue;
                }
                Matcher m = Pattern.compile("\"([A-Z][A-Z_]+)\"").matcher(Files.readString(f));
                while (m.find()) {
                    if (codes.contains(m.group(1))) {
                        spelled.add(MAIN.relativize(f) + ": " + m.group(1));
                    }
                }
            }
        }
        assertThat(spelled).as("error codes written outside io.qwenimage.errors").isEmpty();
    }

    @Test
    void refusalsThatClearByThemselvesSayWhenToRetry() {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.status() == 503 || c == ErrorCode.TOO_MANY_JOBS) {
                assertThat(c.retryAfterSeconds()).as(c.name()).isNotNull();
            }
        }
        // a full queue knows its own wait, a rate limit its bucket's: they set it per answer
        assertThat(ErrorCatalogue.problemOf(new io.qwenimage.jobs.QueueFullException(8, 3)).retryAfterSeconds())
                .isEqualTo(new io.qwenimage.jobs.QueueFullException(8, 3).retryAfterSeconds());
    }

    @Test
    void aJobFailureWrappedByItsFutureIsAnsweredAsTheFailureItself() {
        Problem direct = ErrorCatalogue.problemOf(new io.qwenimage.jobs.ShuttingDownException());
        Problem wrapped = ErrorCatalogue.problemOf(new java.util.concurrent.CompletionException(
                new io.qwenimage.jobs.ShuttingDownException()));
        assertThat(wrapped.status()).isEqualTo(direct.status()).isEqualTo(503);
        assertThat(wrapped.code()).isEqualTo("SHUTTING_DOWN");
    }
}
