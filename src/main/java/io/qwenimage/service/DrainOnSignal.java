package io.qwenimage.service;

import org.jboss.logging.Logger;

/**
 * Drains the service on SIGTERM and SIGINT before the JVM begins to exit, then exits with status 0.
 *
 * <p>Why not Quarkus' {@code ShutdownEvent} (or {@code quarkus.shutdown.delay}): Quarkus fires those from its own
 * JVM shutdown hook, and ONNX Runtime registers another one ({@code OrtEnvironment$OrtEnvCloser}) that releases
 * its native environment. The JVM runs shutdown hooks concurrently and in no set order, so a generation still
 * running when the JVM starts to exit could touch freed native memory whatever Quarkus observer drains it. Only
 * acting before the exit begins, on the signal itself, orders the drain before ONNX Runtime's release. A signal
 * this JVM cannot handle (some platforms refuse INT) is logged, and shutdown then does not wait for generations.
 */
final class DrainOnSignal {

    private static final Logger LOG = Logger.getLogger(DrainOnSignal.class);

    private DrainOnSignal() {
    }

    /** On SIGTERM and SIGINT, runs {@code drainAndClose} on a thread of its own, then exits the JVM. */
    static void install(Runnable drainAndClose) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    Thread t = new Thread(() -> {
                        LOG.infof("SIG%s: draining before exit", name);
                        drainAndClose.run();
                        System.exit(0);
                    }, "qwen-drain");
                    t.start();
                });
            } catch (IllegalArgumentException e) {
                LOG.warnf("cannot handle SIG%s (%s); shutdown will not wait for running generations", name,
                        e.getMessage());
            }
        }
    }
}
