package io.qwenimage.bench.jmh;

import io.qwenimage.engine.tokenizer.ClipTokenizer;
import io.qwenimage.engine.tokenizer.TokenizedPrompt;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** CLIP tokenizing of one prompt (the demo model's byte-level BPE vocabulary; run from the repository root). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TokenizerBenchmark {

    @Param({"a red circle on a blue background",
            "a photograph of an astronaut riding a horse on the moon, highly detailed, dramatic lighting, 8k, "
                    + "trending on artstation, by a famous painter, with a long flowing cape and a golden helmet"})
    public String prompt;

    private ClipTokenizer tokenizer;

    @Setup
    public void load() {
        tokenizer = ClipTokenizer.load(Path.of(System.getProperty("qwen.bench.model", "models/demo"), "tokenizer"));
    }

    @Benchmark
    public TokenizedPrompt encode() {
        return tokenizer.encode(prompt);
    }
}
