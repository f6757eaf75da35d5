package io.qwenimage.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParseException;
import io.qwenimage.engine.GenerationCancelledException;
import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.image.DecodeBudgetExceededException;
import io.qwenimage.engine.image.ImageTooLargeException;
import io.qwenimage.engine.image.InvalidImageException;
import io.qwenimage.engine.image.UnsupportedImageFormatException;
import io.qwenimage.errors.ServiceException;
import io.qwenimage.http.ErrorEnvelope;
import io.qwenimage.jobs.DeadlineExceededException;
import io.qwenimage.jobs.JobStoreUnavailableException;
import io.qwenimage.jobs.QueueFullException;
import io.qwenimage.jobs.QueueTimeoutException;
import io.qwenimage.jobs.ShuttingDownException;
import io.qwenimage.security.RateLimitDecision;
import io.qwenimage.security.RateLimitExceededException;
import io.qwenimage.security.RateLimitSettings;
import io.qwenimage.security.TooManyJobsException;
import io.qwenimage.service.ServiceNotReadyException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.resteasy.reactive.server.core.multipart.MultiPartParserDefinition;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 item 9: a multipart form of more than 1000 parts was a 500 INFERENCE_ERROR, and the second dispatch
 * table for asynchronous jobs lacked several exceptions (an undecodable picture was 422 there, 400 in a request).
 * Every exception class of src/main, found by scanning the compiled classes, must have a sample here with its
 * status and code; each must map to it, the same way whether it reaches the mapper directly or wrapped as an
 * asynchronous job's failure; and README.md's error table must list that status and code.
 */
class ErrorMappingHostileTest {

    /** Status and code. */
    record Answer(int status, String code) {
    }

    /** One instance of every exception type of ours, and the answer the README promises for it. */
    static Map<Throwable, Answer> ours() {
        Map<Throwable, Answer> m = new LinkedHashMap<>();
        m.put(ServiceException.invalid("prompt", "too long"), new Answer(422, "VALIDATION_ERROR"));
        m.put(new GenerationCancelledException("client left"), new Answer(499, "CANCELLED"));
        m.put(new ModelException("unet/model.onnx is damaged"), new Answer(500, "INFERENCE_ERROR"));
        m.put(new DecodeBudgetExceededException(10, 95, 100), new Answer(503, "DECODE_BUDGET_EXCEEDED"));
        m.put(new ImageTooLargeException(100_000, 100_000, 1 << 24), new Answer(413, "FILE_TOO_LARGE"));
        m.put(new InvalidImageException("truncated"), new Answer(400, "INVALID_IMAGE"));
        m.put(new UnsupportedImageFormatException("not a picture"), new Answer(415, "UNSUPPORTED_MEDIA_TYPE"));
        m.put(new DeadlineExceededException(Duration.ofSeconds(3)), new Answer(504, "GATEWAY_TIMEOUT"));
        m.put(new JobStoreUnavailableException("redis down", null), new Answer(503, "JOB_STORE_UNAVAILABLE"));
        m.put(new QueueFullException(8, 3), new Answer(503, "SERVICE_OVERLOADED"));
        m.put(new QueueTimeoutException(Duration.ofSeconds(31), Duration.ofSeconds(30)),
                new Answer(503, "QUEUE_TIMEOUT"));
        m.put(new ShuttingDownException(), new Answer(503, "SHUTTING_DOWN"));
        m.put(new ServiceNotReadyException("loading"), new Answer(503, "MODEL_NOT_LOADED"));
        m.put(new TooManyJobsException(4), new Answer(429, "TOO_MANY_JOBS"));
        m.put(new io.qwenimage.engine.scheduler.ScheduleRefusedException("strength", "no step left"),
                new Answer(422, "VALIDATION_ERROR"));
        m.put(new RateLimitExceededException(new RateLimitDecision(false, 10, 0, 6, 6),
                new RateLimitSettings(60, 1000, 10)), new Answer(429, "RATE_LIMIT_EXCEEDED"));
        return m;
    }

    /** Exceptions of libraries that reach the mapper from our routes. */
    static Map<Throwable, Answer> theirs() {
        Map<Throwable, Answer> m = new LinkedHashMap<>();
        m.put(new RuntimeException("Param limit of 1000 was exceeded"), new Answer(413, "TOO_MANY_PARTS"));
        m.put(new MultiPartParserDefinition.FileTooLargeException(), new Answer(413, "FILE_TOO_LARGE"));
        m.put(new JsonParseException(null, "Unexpected character"), new Answer(400, "VALIDATION_ERROR"));
        m.put(new IOException("connection reset while reading"), new Answer(400, "INVALID_REQUEST"));
        m.put(new CancellationException("client left"), new Answer(499, "CANCELLED"));
        m.put(new IllegalArgumentException("width out of range"), new Answer(422, "VALIDATION_ERROR"));
        m.put(new jakarta.ws.rs.NotSupportedException(), new Answer(415, "UNSUPPORTED_MEDIA_TYPE"));
        m.put(new IllegalStateException("a genuine engine fault"), new Answer(500, "INFERENCE_ERROR"));
        return m;
    }

    @Test
    void everyExceptionClassOfOursHasADocumentedAnswer() throws Exception {
        Set<String> sampled = new TreeSet<>();
        ours().keySet().forEach(t -> sampled.add(t.getClass().getName()));
        assertThat(sampled).as("exception classes of src/main (add a sample above for a new one)")
                .containsExactlyInAnyOrderElementsOf(exceptionClassesOfMain());
    }

    @Test
    void eachMapsToItsStatusAndCodeDirectlyAndAsAJobFailure() {
        Map<Throwable, Answer> all = new LinkedHashMap<>(ours());
        all.putAll(theirs());
        List<String> wrong = new ArrayList<>();
        ErrorMapper mapper = new ErrorMapper();
        all.forEach((failure, expected) -> {
            for (Response r : List.of(ErrorMapper.answer(failure, null), mapper.of(failure),
                    mapper.of(new CompletionException(failure)))) {
                Answer got = new Answer(r.getStatus(), ErrorEnvelope.codeOf(r.getEntity()));
                if (!got.equals(expected)) {
                    wrong.add(failure.getClass().getName() + ": " + got + ", documented " + expected);
                }
                if (got.status() == 503 || got.status() == 429) {
                    assertThat(r.getHeaderString("Retry-After")).as(failure.getClass().getName()).isNotBlank();
                }
            }
        });
        assertThat(wrong).isEmpty();
    }

    @Test
    void readmeListsEveryStatusAndCode() throws IOException {
        Set<Answer> documented = new java.util.HashSet<>();
        for (String pair : io.qwenimage.errors.ErrorCatalogueTest.documentedErrors()) {
            String[] p = pair.split(" ");
            documented.add(new Answer(Integer.parseInt(p[0]), p[1]));
        }
        Map<Throwable, Answer> all = new LinkedHashMap<>(ours());
        all.putAll(theirs());
        assertThat(documented).containsAll(all.values());
    }

    /** Every concrete Throwable class compiled from src/main. */
    static Set<String> exceptionClassesOfMain() throws IOException {
        Path classes = Path.of("target/classes");
        Set<String> found = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes.resolve("io/qwenimage"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                try {
                    Class<?> c = Class.forName(name, false, ErrorMappingHostileTest.class.getClassLoader());
                    if (Throwable.class.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers())) {
                        found.add(name);
                    }
                } catch (ClassNotFoundException | LinkageError e) {
                    // generated or optional classes that do not load outside Quarkus are not exceptions of ours
                }
            }
        }
        return found;
    }
}
