package io.qwenimage.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every {@code qwen.*} key (documented with its default in {@code config/config.yaml}). Environment variables
 * follow the seed's form: {@code QWEN_MODEL_PATH}, {@code QWEN_QUEUE_CAPACITY}, ...
 */
@ConfigMapping(prefix = "qwen")
public interface QwenConfig {

    Model model();

    Models models();

    Queue queue();

    Server server();

    Limits limits();

    Generation generation();

    Security security();

    Log log();

    Jobs jobs();

    /** The model to serve and where it runs. */
    interface Model {

        /** A diffusers/optimum ONNX model folder; empty serves the bundled demo model. */
        Optional<String> path();

        /** auto (CUDA if it loads, else CPU), cpu or cuda. */
        @WithDefault("auto")
        String device();

        @WithName("device-id")
        @WithDefault("0")
        int deviceId();

        /** ONNX Runtime threads per operator; 0 = one per core. */
        @WithName("intra-op-threads")
        @WithDefault("0")
        int intraOpThreads();

        /**
         * ONNX Runtime's intra-op threads spin-wait for work between operators (its own default) rather than
         * sleep. Off by default: on a CPU the spinning threads compete with the ones doing the work, and a
         * generation took 20-40 % longer with it on (bench/README.md).
         */
        @WithName("intra-op-spinning")
        @WithDefault("false")
        boolean intraOpSpinning();

        /** Where the bundled demo model is unpacked (ONNX Runtime loads graphs from files). */
        @WithName("work-dir")
        Optional<String> workDir();
    }

    /**
     * Several models in one process, each chosen per request by its id. Without entries: the model of
     * {@code qwen.model.path} alone (its id: its folder's name), or else the bundled demos. Devices and threads
     * come from {@code qwen.model.*} unless an entry says otherwise.
     */
    interface Models {

        /** Models loaded at once; loading one more first unloads the least recently used idle one. */
        @WithName("max-loaded")
        @WithDefault("2")
        int maxLoaded();

        /** The id of the model a request that names none gets; default: the first loaded at start. */
        @WithName("default")
        Optional<String> defaultModel();

        /**
         * A directory whose model folders (each with a model_index.json) are served too, by folder name and loaded
         * by their first request; {@code POST /admin/models/rescan} adds folders put there later.
         */
        Optional<String> dir();

        /** {@code qwen.models.entries.<id>.*}: the models served, by id. */
        java.util.Map<String, Entry> entries();

        /** One model: where it is and how it is served. */
        interface Entry {

            /** A diffusers/optimum ONNX model folder; {@code bundled} (or absent) is the demo in the jar. */
            Optional<String> path();

            /** Loaded (and warmed up) before the service is ready; otherwise loaded by its first request. */
            @WithName("load-at-start")
            @WithDefault("false")
            boolean loadAtStart();

            /** auto, cpu or cuda; default {@code qwen.model.device}. */
            Optional<String> device();

            /** The scheduler of requests that name none; default {@code qwen.generation.scheduler}. */
            Optional<String> scheduler();

            /** The steps of requests that give none; default {@code qwen.generation.num-inference-steps}. */
            @WithName("num-inference-steps")
            Optional<Integer> steps();

            /**
             * The guidance of requests that give none (Qwen-Image: true_cfg_scale); default the family's: 5.0 for
             * SDXL (diffusers' default), {@code qwen.generation.guidance-scale} for SD 1.x/2.x,
             * {@code qwen.generation.true-cfg-scale} for Qwen-Image.
             */
            @WithName("guidance-scale")
            Optional<Double> guidanceScale();
        }
    }

    /** The bounded job queue in front of the workers. */
    interface Queue {

        /** Generations running at once; 1 on a CPU (one generation already uses every core). */
        @WithDefault("1")
        int workers();

        /** Requests that may wait for a worker; more are answered 503 at once. */
        @WithDefault("8")
        int capacity();

        /** Longest wait in the queue before a request gets 503 QUEUE_TIMEOUT. */
        @WithDefault("30s")
        Duration timeout();

        /** A worker inside one step longer than this makes liveness fail. */
        /**
         * Dynamic batching: the most images one worker runs through the same UNet calls, gathered from compatible
         * queued text-to-image requests (same size, steps, scheduler, guidance on or off). 1 = off; 4 by default:
         * it raised throughput at 8 clients by 1.2-1.7x on CPU without slowing a lone client (bench/README.md).
         */
        @WithName("max-batch")
        @WithDefault("4")
        int maxBatch();

        /** How long a worker holding a batchable request waits for company (only while requests arrive together). */
        @WithName("max-batch-delay")
        @WithDefault("10ms")
        Duration maxBatchDelay();

        @WithName("stall-threshold")
        @WithDefault("120s")
        Duration stallThreshold();
    }

    /** HTTP-level limits. */
    interface Server {

        /**
         * Deadline of one generation request, queue wait included; past it: 504 and the job is stopped (in
         * seconds, {@code JobDeadline}'s timer).
         */
        @WithName("request-timeout")
        @WithDefault("300")
        Duration requestTimeout();

        /** Largest upload, bytes. */
        @WithName("max-file-size")
        @WithDefault("10485760")
        long maxFileSize();

        /** PEM certificate (chain) for HTTPS; with {@link #tlsKey()}, the service also listens on the SSL port. */
        @WithName("tls-cert")
        Optional<String> tlsCert();

        /** PEM private key of {@link #tlsCert()}. */
        @WithName("tls-key")
        Optional<String> tlsKey();
    }

    /** What one request may ask for. */
    interface Limits {

        @WithName("min-size")
        @WithDefault("64")
        int minSize();

        @WithName("max-width")
        @WithDefault("2048")
        int maxWidth();

        @WithName("max-height")
        @WithDefault("2048")
        int maxHeight();

        /** width x height budget of one image. */
        @WithName("max-pixels")
        @WithDefault("1048576")
        long maxPixels();

        @WithName("max-steps")
        @WithDefault("100")
        int maxSteps();

        @WithName("max-num-images")
        @WithDefault("4")
        int maxNumImages();

        @WithName("max-prompt-length")
        @WithDefault("1000")
        int maxPromptLength();

        /** Pixel budget of an uploaded picture, checked from its header before decoding. */
        @WithName("max-input-pixels")
        @WithDefault("16777216")
        long maxInputPixels();

        /**
         * Memory the uploaded pictures being decoded at once may take (estimated from their headers, 11 bytes a
         * pixel); a picture that does not fit is refused with 503 and Retry-After. At least one picture of
         * {@link #maxInputPixels()} must fit.
         */
        @WithName("max-decoding-bytes")
        @WithDefault("268435456")
        long maxDecodingBytes();
    }

    /** Defaults of omitted request fields. */
    interface Generation {

        @WithName("num-inference-steps")
        @WithDefault("20")
        int steps();

        @WithName("guidance-scale")
        @WithDefault("7.5")
        double guidanceScale();

        /** Qwen-Image's default true CFG scale (diffusers' QwenImagePipeline default). */
        @WithName("true-cfg-scale")
        @WithDefault("4.0")
        double trueCfgScale();

        /** DPM++ 2M Karras: sharp in 20 steps on SD models and on the demo model alike. */
        @WithDefault("dpmpp_2m_karras")
        String scheduler();

        @WithDefault("0.8")
        double strength();

        @WithName("output-format")
        @WithDefault("png")
        String outputFormat();

        @WithName("jpeg-quality")
        @WithDefault("0.92")
        float jpegQuality();
    }

    /** API keys, access rules and abuse limits. */
    interface Security {

        /** Refuse to start without at least one API key (the production configuration sets this). */
        @WithName("require-api-keys")
        @WithDefault("false")
        boolean requireApiKeys();

        /**
         * Accepted keys: {@code [name[:scope+scope]=]key} or {@code [name[:scope+scope]=]sha256:<hex>}; none: auth
         * off. Environment: {@code QWEN_SECURITY_API_KEYS}, comma-separated.
         */
        @WithName("api-keys")
        Optional<List<String>> apiKeys();

        /** A file with one key entry per line (a mounted secret); re-read when it changes. */
        @WithName("api-keys-file")
        Optional<String> apiKeysFile();

        /**
         * Paths answered without a key besides the health probes; {@code *} at the end matches any rest of the
         * path.
         */
        @WithName("public-paths")
        @WithDefault("/,/ui*,/info,/q/metrics,/metrics,/q/openapi*,/q/swagger-ui*")
        List<String> publicPaths();

        /** CIDR ranges allowed to call generation and admin routes; empty: any address. */
        @WithName("ip-allowlist")
        Optional<List<String>> ipAllowlist();

        /** Jobs one key (or, without keys, one client address) may have queued or running; 0: no cap. */
        @WithName("max-jobs-per-key")
        @WithDefault("0")
        int maxJobsPerKey();

        @WithName("rate-limit")
        RateLimit rateLimit();

        /** Token buckets per key, or per client address for anonymous callers. */
        interface RateLimit {

            @WithDefault("true")
            boolean enabled();

            @WithName("requests-per-minute")
            @WithDefault("60")
            long requestsPerMinute();

            @WithName("requests-per-hour")
            @WithDefault("1000")
            long requestsPerHour();

            /** Requests that may arrive at once. */
            @WithDefault("10")
            long burst();
        }
    }

    /** What the logs may contain. */
    interface Log {

        /** Put the prompt text in the audit line (otherwise only its length and SHA-256). */
        @WithDefault("false")
        boolean prompts();
    }

    /** Asynchronous jobs (POST /jobs, Prefer: respond-async). */
    interface Jobs {

        /** How long a finished job's result or error stays readable. */
        @WithName("result-ttl")
        @WithDefault("10m")
        Duration resultTtl();

        /** Memory for finished results together; past it the oldest go first. */
        @WithName("max-result-bytes")
        @WithDefault("268435456")
        long maxResultBytes();

        /**
         * Each owner's share of finished results (an API key or client address): past it, that owner's oldest go
         * first, and asking for one of them answers 410 JOB_EXPIRED.
         */
        @WithName("max-result-bytes-per-owner")
        @WithDefault("67108864")
        long maxResultBytesPerOwner();

        /** How long a picture handed out as a URL (OpenAI's response_format url) stays fetchable. */
        @WithName("link-ttl")
        @WithDefault("60m")
        Duration linkTtl();

        /**
         * Where asynchronous job records live: {@code memory} (this process; one instance) or {@code redis}
         * (shared by every replica, {@code quarkus.redis.hosts}); with redis the rate-limit buckets and the result
         * cache are shared too.
         */
        @WithDefault("memory")
        String store();

        /** Name of this replica in job records (default: the host name, the pod name on Kubernetes). */
        Optional<String> replica();

        /** Progress streams (GET /jobs/{id}/events) open at once for one job; more answer 429. */
        @WithName("events-max-subscribers-per-job")
        @WithDefault("8")
        int eventsMaxSubscribersPerJob();

        /**
         * Live previews, for the callers who ask for them (progress streams with {@code ?preview=true}, A1111's
         * progress): one after every this many denoising steps.
         */
        @WithName("preview-every-steps")
        @WithDefault("1")
        int previewEverySteps();

        /** Progress streams open at once for one caller (API key or client address); more answer 429. */
        @WithName("events-max-subscribers-per-caller")
        @WithDefault("16")
        int eventsMaxSubscribersPerCaller();

        /** Output a progress stream may leave unread before it counts as stalled. */
        @WithName("events-max-unread-bytes")
        @WithDefault("1048576")
        int eventsMaxUnreadBytes();

        /** How long a progress stream may stay stalled (past the unread bound) before it is disconnected. */
        @WithName("events-drain-timeout")
        @WithDefault("30s")
        Duration eventsDrainTimeout();

        /** How calls to Redis are bounded (qwen.jobs.store=redis). */
        Redis redis();

        /**
         * Each Redis call's time limit and the circuit breaker in front of all of them: after
         * {@code breaker-failures} consecutive failures or timeouts Redis is not called for
         * {@code breaker-cool-down}, then one probe decides.
         */
        interface Redis {
            @WithDefault("250ms")
            Duration timeout();

            @WithName("breaker-failures")
            @WithDefault("3")
            int breakerFailures();

            @WithName("breaker-cool-down")
            @WithDefault("5s")
            Duration breakerCoolDown();
        }
    }

    /** The picture upscaler: POST /upscale, A1111's extras and hires fix, the generation's {@code upscale}. */
    Upscaler upscaler();

    interface Upscaler {

        /**
         * An ONNX upscaler (a folder with model.onnx and config.json, or one .onnx file, Real-ESRGAN/SwinIR layout);
         * {@code bundled} is the small x4 upscaler in the jar (trained on the demo's pictures); {@code none} turns
         * upscaling off.
         */
        @WithDefault("bundled")
        String path();

        /** Tile side in input pixels: a larger picture is upscaled tile by tile (memory for one band of tiles). */
        @WithDefault("128")
        int tile();

        /** Pixels each tile shares with its neighbours, blended so no seam shows. */
        @WithName("tile-overlap")
        @WithDefault("16")
        int tileOverlap();

        /** The largest picture an upscale may make (and hold on the way), checked before anything is allocated. */
        @WithName("max-output-pixels")
        @WithDefault("16777216")
        long maxOutputPixels();
    }

    /** Optional cache of finished pictures for repeated requests with an explicit seed. */
    Cache cache();

    interface Cache {

        /** Serve a repeated request (same parameters, explicit seed) from the cache instead of the engine. */
        @WithDefault("false")
        boolean enabled();

        /** How long a cached answer is kept. */
        @WithDefault("1h")
        Duration ttl();

        /** Bytes of cached pictures kept in memory (the in-memory cache; Redis uses its own eviction). */
        @WithName("max-bytes")
        @WithDefault("134217728")
        long maxBytes();
    }
}
