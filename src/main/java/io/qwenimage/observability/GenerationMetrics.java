package io.qwenimage.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.StartupEvent;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.jobs.JobQueue;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The service's own meters. Names are Micrometer's dotted ones; the Prometheus registry renders them as
 * {@code qwen_*} ({@code qwen.jobs} → {@code qwen_jobs_total}, {@code qwen.generation.duration} →
 * {@code qwen_generation_duration_seconds_bucket}, ...). Tags are bounded: endpoints, models, schedulers, size
 * classes, outcomes, and API key ids (configured keys only; every anonymous caller is {@code anonymous}).
 */
@Startup
@ApplicationScoped
public class GenerationMetrics {

    static final Duration[] GENERATION_SLO = seconds(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300);
    static final Duration[] STEP_SLO = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5);
    static final Duration[] QUEUE_SLO = seconds(0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);

    private static final List<String> MODEL_STATES = java.util.List.of("unloaded", "loading", "ready",
            "failed");

    private final Set<String> stateGauges = ConcurrentHashMap.newKeySet();
    private final Map<List<String>, Meter> meters = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final ServingState service;
    private final QwenConfig config;

    public GenerationMetrics(MeterRegistry registry, ServingState service, QwenConfig config) {
        this.registry = registry;
        this.service = service;
        this.config = config;
    }

    @PostConstruct
    void registerGauges() {
        queueGauge("qwen.queue.depth", "generations waiting for a worker", JobQueue::queued);
        queueGauge("qwen.queue.running", "generations running now", JobQueue::running);
        FunctionCounter.builder("qwen.queue.batches", service, s -> s.queue() == null ? 0 : s.queue().batchesRun())
                .description("dynamic batches of two or more requests run").register(registry);
        FunctionCounter.builder("qwen.queue.batched.jobs", service,
                        s -> s.queue() == null ? 0 : s.queue().jobsBatched())
                .description("requests that ran inside a dynamic batch").register(registry);
        Gauge.builder("qwen.queue.capacity", config.queue(), q -> q.capacity())
                .description("generations that may wait; more are refused with 503").register(registry);
        Gauge.builder("qwen.queue.workers", config.queue(), q -> q.workers())
                .description("generations that may run at once").register(registry);
        Gauge.builder("qwen.ready", service, s -> s.isReady() ? 1 : 0)
                .description("1 when the model is loaded and warmed up and the service is not draining")
                .register(registry);
        // ONNX Runtime's memory is native: the JVM's own meters do not see it, the process's resident set does
        Gauge.builder("qwen.process.memory.rss", ResidentMemory::bytes).baseUnit("bytes")
                .description("resident memory of the whole process (Java heap, native ONNX Runtime memory, code)")
                .register(registry);
    }

    private void queueGauge(String name, String description, ToDoubleFunction<JobQueue> value) {
        Gauge.builder(name, service, s -> s.queue() == null ? 0 : value.applyAsDouble(s.queue()))
                .description(description).register(registry);
    }

    /**
     * {@code qwen.model.state{model,state}}: 1 for each configured model's current state, 0 for the others. Models
     * added by a rescan get theirs the first time they load or are asked for.
     */
    private void registerModelStates() {
        for (String id : service.modelStates().keySet()) {
            if (!stateGauges.add(id)) {
                continue;
            }
            for (String state : MODEL_STATES) {
                Gauge.builder("qwen.model.state", service, s -> state.equals(s.modelStates().get(id)) ? 1 : 0)
                        .tags("model", id, "state", state)
                        .description("1 for the state each configured model is in (unloaded, loading, ready, "
                                + "failed)").register(registry);
            }
        }
    }

    // after the default observers (the service configures its models in its own start observer)
    void servingStarted(@Observes @Priority(Interceptor.Priority.APPLICATION + 900) StartupEvent event) {
        registerModelStates();
    }

    void modelLoaded(@Observes ModelLoaded event) {
        registerModelStates();
        Tags model = Tags.of("model", event.model().id());
        // strong references: the event is the gauges' only holder of these values
        Gauge.builder("qwen.model.load.seconds", event, ModelLoaded::loadSeconds).tags(model).strongReference(true)
                .description("time to read the model and create its sessions").register(registry);
        Gauge.builder("qwen.model.warmup.seconds", event, ModelLoaded::warmUpSeconds).tags(model)
                .strongReference(true).description("time of the warm-up generation").register(registry);
        Gauge.builder("qwen.execution.provider", () -> 1).tags(model.and("provider", event.provider()))
                .description("1 for the execution provider in use").register(registry);
    }

    /** The per-step timer of one kind of generation. */
    Timer stepTimer(String model, String scheduler, String size) {
        return cached(List.of("step", model, scheduler, size), () -> Timer.builder("qwen.generation.step")
                .description("one denoising step (a UNet call and the scheduler's update)")
                .tags("model", model, "scheduler", scheduler, "size", size)
                .serviceLevelObjectives(STEP_SLO).register(registry));
    }

    /** Everything a finished generation request adds to the meters. */
    void record(GenerationRecord r, Outcome outcome) {
        if (r.model() != null && !stateGauges.contains(r.model())) {
            registerModelStates();      // a model added by a rescan, the first time it is asked for
        }
        String endpoint = r.endpoint();
        // configured ids only (the record takes a model once the repository has resolved it)
        String model = r.model() == null ? "none" : r.model();
        String result = outcome.tag();
        this.<Counter>cached(List.of("jobs", endpoint, model, result), () -> Counter.builder("qwen.jobs")
                .description("generation requests by how they ended")
                .tags("endpoint", endpoint, "model", model, "outcome", result).register(registry)).increment();
        String key = r.caller() == null || r.caller().anonymous() ? "anonymous" : r.caller().id();
        this.<Counter>cached(List.of("client.requests", key, result), () -> Counter.builder("qwen.client.requests")
                .description("generation requests per API key id")
                .tags("key", key, "outcome", result).register(registry)).increment();
        if (r.queueWaitNanos() >= 0) {
            this.<Timer>cached(List.of("queue.wait", endpoint, model), () -> Timer.builder("qwen.queue.wait")
                    .description("time from admission to a worker taking the job")
                    .tags("endpoint", endpoint, "model", model).serviceLevelObjectives(QUEUE_SLO)
                    .register(registry)).record(r.queueWaitNanos(), TimeUnit.NANOSECONDS);
        }
        if (outcome != Outcome.SUCCESS || r.request() == null) {
            return;
        }
        var q = r.request();
        String scheduler = q.scheduler().apiName();
        String size = SizeClass.of(q.width(), q.height());
        this.<Timer>cached(List.of("duration", endpoint, model, scheduler, size), () -> Timer
                .builder("qwen.generation.duration").description("a generation on its worker, encoding included")
                .tags("endpoint", endpoint, "model", model, "scheduler", scheduler, "size", size)
                .serviceLevelObjectives(GENERATION_SLO).register(registry))
                .record(r.runNanos(), TimeUnit.NANOSECONDS);
        this.<Counter>cached(List.of("images", endpoint, model), () -> Counter.builder("qwen.images.generated")
                .description("pictures delivered").tags("endpoint", endpoint, "model", model)
                .register(registry)).increment(r.images());
        this.<Counter>cached(List.of("client.images", key), () -> Counter.builder("qwen.client.images")
                .description("pictures delivered per API key id").tags("key", key).register(registry))
                .increment(r.images());
        this.<Counter>cached(List.of("client.seconds", key), () -> Counter.builder("qwen.client.generation.seconds")
                .description("worker seconds used per API key id").tags("key", key).register(registry))
                .increment(r.runNanos() / 1e9);
    }

    /**
     * The overhead probe of one synchronous generation request: server-side time (arrival to response headers),
     * the part inside ONNX Runtime calls, and the share outside them.
     */
    void serverTime(GenerationRecord r, long totalNanos, long onnxNanos) {
        String endpoint = r.endpoint();
        this.<Timer>cached(List.of("server", endpoint), () -> Timer.builder("qwen.generation.server")
                .description("a generation request from arrival to response headers (queue, tokenizing, ONNX "
                        + "Runtime, encoding, JSON)")
                .tags("endpoint", endpoint).serviceLevelObjectives(GENERATION_SLO).register(registry))
                .record(totalNanos, TimeUnit.NANOSECONDS);
        this.<Timer>cached(List.of("onnx", endpoint), () -> Timer.builder("qwen.generation.onnx")
                .description("time inside ONNX Runtime calls of a generation request")
                .tags("endpoint", endpoint).serviceLevelObjectives(GENERATION_SLO).register(registry))
                .record(onnxNanos, TimeUnit.NANOSECONDS);
        this.<DistributionSummary>cached(List.of("overhead", endpoint), () -> DistributionSummary
                .builder("qwen.generation.overhead")
                .description("share of a generation request's server-side time spent outside ONNX Runtime calls (0 "
                        + "to 1)")
                .tags("endpoint", endpoint).publishPercentiles(0.5, 0.95).register(registry))
                .record(totalNanos <= 0 ? 0 : Math.max(0, (double) (totalNanos - onnxNanos) / totalNanos));
    }

    /**
     * The meter of these tag values, registered once: asking the registry for it on every request (builder, id,
     * meter filters, lookup) cost more than everything else of a request's metrics put together.
     */
    @SuppressWarnings("unchecked")
    private <M extends Meter> M cached(List<String> key, Supplier<M> register) {
        Meter meter = meters.get(key);
        return (M) (meter != null ? meter : meters.computeIfAbsent(key, k -> register.get()));
    }

    private static Duration[] seconds(double... values) {
        Duration[] d = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = Duration.ofNanos((long) (values[i] * 1e9));
        }
        return d;
    }
}
