package io.qwenimage.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 14b: a cancel from another thread must never reach run options that their owner has already
 * closed (native memory freed). The owner unbinds before closing; the interleaving is forced with latches.
 */
class CancellationTokenHostileTest {

    /** Run options that pause inside {@code setTerminate} and remember whether it ran on closed options. */
    static final class PausingRunOptions extends OrtSession.RunOptions {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch proceed = new CountDownLatch(1);
        final AtomicBoolean closed = new AtomicBoolean();
        final AtomicBoolean terminatedWhileClosed = new AtomicBoolean();

        PausingRunOptions() throws OrtException {
        }

        @Override
        public void setTerminate(boolean terminate) throws OrtException {
            entered.countDown();
            try {
                assertThat(proceed.await(10, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (closed.get()) {
                terminatedWhileClosed.set(true);
                return;     // the real call would touch freed native memory
            }
            super.setTerminate(terminate);
        }

        @Override
        public void close() {
            closed.set(true);
            super.close();
        }
    }

    @Test
    void ownerClosingItsRunOptionsWaitsForACancelThatIsTerminatingThem() throws Exception {
        CancellationToken token = new CancellationToken();
        PausingRunOptions options = new PausingRunOptions();
        token.bind(options);

        Thread canceller = new Thread(() -> token.cancel("deadline exceeded"), "canceller");
        canceller.start();
        assertThat(options.entered.await(10, TimeUnit.SECONDS)).isTrue();

        // the worker's step ends now: it unbinds and closes its run options, as the pipelines do
        Thread owner = new Thread(() -> {
            token.bind(null);
            options.close();
        }, "owner");
        owner.start();
        // either the owner is held back by the cancel in progress (fixed) or it has already closed (the bug)
        while (owner.getState() != Thread.State.BLOCKED && owner.getState() != Thread.State.TERMINATED) {
            Thread.onSpinWait();
        }
        options.proceed.countDown();
        canceller.join(10_000);
        owner.join(10_000);

        assertThat(options.terminatedWhileClosed).as("setTerminate ran on closed run options").isFalse();
        assertThat(options.closed).isTrue();
        assertThat(token.reason()).isEqualTo("deadline exceeded");
    }

    @Test
    void aCancelAfterUnbindingLeavesTheClosedOptionsAlone() throws Exception {
        CancellationToken token = new CancellationToken();
        PausingRunOptions options = new PausingRunOptions();
        options.proceed.countDown();
        token.bind(options);
        token.bind(null);
        options.close();

        token.cancel("cancelled by the client");

        assertThat(options.entered.getCount()).as("setTerminate was called").isEqualTo(1);
        assertThat(token.isCancelled()).isTrue();
    }

    @Test
    void bindingAfterACancelTerminatesTheNewOptionsAtOnce() throws Exception {
        CancellationToken token = new CancellationToken();
        token.cancel("cancelled by the client");
        PausingRunOptions options = new PausingRunOptions();
        options.proceed.countDown();

        token.bind(options);

        assertThat(options.entered.getCount()).isZero();
        assertThat(options.terminatedWhileClosed).isFalse();
        token.bind(null);
        options.close();
    }
}
