package io.qwenimage.engine.onnx;

/**
 * How sessions are built.
 *
 * @param provider        cpu, cuda or auto
 * @param deviceId        CUDA device ordinal
 * @param intraOpThreads  threads inside one operator; 0 lets ONNX Runtime use one per physical core
 * @param interOpThreads  threads across independent operators (sequential execution uses 1)
 * @param memoryPattern   pre-plans allocations for repeated identical shapes; off when sizes vary per request
 *                        (diffusers' ONNX tests and Microsoft's SD-Turbo sample turn it off too)
 * @param spinning        ONNX Runtime's intra-op threads spin between operators instead of sleeping: lower latency
 *                        per call, but the spinning cores are taken from the Java threads between calls
 */
public record SessionSettings(ExecutionProvider provider, int deviceId, int intraOpThreads, int interOpThreads,
                              boolean memoryPattern, boolean spinning) {

    /** With ONNX Runtime's default spinning (on). */
    public SessionSettings(ExecutionProvider provider, int deviceId, int intraOpThreads, int interOpThreads,
                           boolean memoryPattern) {
        this(provider, deviceId, intraOpThreads, interOpThreads, memoryPattern, true);
    }

    /** CPU, ONNX Runtime's thread defaults, memory pattern off. */
    public static SessionSettings cpuDefaults() {
        return new SessionSettings(ExecutionProvider.CPU, 0, 0, 1, false);
    }
}
