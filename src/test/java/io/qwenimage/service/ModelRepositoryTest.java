package io.qwenimage.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.pipeline.Pipelines;
import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.ServiceException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The claims jobs hold on their models under a budget of one loaded model: a job's claim waits while its model
 * loads, steady traffic for the loaded model does not starve a model waiting for room, and a failed load lets its
 * jobs fail at once with the reason. Loads open the Qwen demo model for real, each let through by the test.
 */
class ModelRepositoryTest {

    private final Semaphore loadsAllowed = new Semaphore(0);
    private final AtomicInteger changes = new AtomicInteger();
    private final ModelRepository models = new ModelRepository(List.of(entry("a"), entry("b"), entry("broken")),
            "a", 1, this::open, loaded -> { }, changes::incrementAndGet);

    private static ModelEntry entry(String id) {
        return ModelEntry.withDefaults(id, Optional.of(Path.of("models", "demo-qwen")), false, "cpu");
    }

    private ModelRepository.LoadedModel open(ModelEntry entry) throws Exception {
        if (!loadsAllowed.tryAcquire(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test did not let the load through");
        }
        if (entry.id().equals("broken")) {
            throw new java.io.IOException("model_index.json: no such file");
        }
        SessionFactory sessions = new SessionFactory(SessionSettings.cpuDefaults());
        return new ModelRepository.LoadedModel(Pipelines.open(entry.folder().orElseThrow(), sessions), sessions,
                "cpu", 0, 0);
    }

    @AfterEach
    void close() {
        models.close();
    }

    @Test
    void aJobsClaimWaitsWhileItsModelLoadsAndIsReadyOnceItHas() throws Exception {
        ModelRepository.Lease claim = models.lease("a");
        assertThat(models.status("a").state()).isEqualTo(ModelState.LOADING);
        assertThat(claim.ready()).isFalse();
        int before = changes.get();
        loadsAllowed.release();
        models.load("a").get(30, TimeUnit.SECONDS);
        for (int i = 0; i < 500 && changes.get() == before; i++) {
            Thread.sleep(10);           // told just after the load's future completes
        }
        assertThat(changes.get()).as("the queue is told").isGreaterThan(before);
        assertThat(claim.ready()).isTrue();
        assertThat(claim.pipeline().info().family()).isEqualTo("qwen-image");
        // a model a job holds is not unloaded under it
        assertThatThrownBy(() -> models.unload("a")).isInstanceOfSatisfying(ServiceException.class,
                e -> assertThat(e.problem().code()).isEqualTo(ErrorCode.MODEL_BUSY.name()));
        claim.close();
        assertThat(models.unload("a").state()).isEqualTo(ModelState.UNLOADED);
    }

    @Test
    void steadyTrafficForTheLoadedModelDoesNotStarveAModelWaitingForRoom() throws Exception {
        loadsAllowed.release();
        models.load("a").get(30, TimeUnit.SECONDS);
        ModelRepository.Lease a1 = models.lease("a");
        assertThat(a1.ready()).isTrue();

        ModelRepository.Lease b1 = models.lease("b");
        assertThat(b1.ready()).as("no room: a is in use").isFalse();
        // a job for a arriving now does not keep a loaded: it waits until b has had its turn
        ModelRepository.Lease a2 = models.lease("a");
        assertThat(a2.ready()).isFalse();

        loadsAllowed.release();
        a1.close();                                         // a's last holder ends: a is unloaded, b loads
        models.load("b").get(30, TimeUnit.SECONDS);
        assertThat(models.status("a").state()).isEqualTo(ModelState.UNLOADED);
        assertThat(b1.ready()).isTrue();
        assertThat(a2.ready()).as("a loads again for it, once b is free").isFalse();

        loadsAllowed.release();
        b1.close();
        models.load("a").get(30, TimeUnit.SECONDS);
        assertThat(a2.ready()).isTrue();
        assertThat(models.status("b").state()).isEqualTo(ModelState.UNLOADED);
        a2.close();
    }

    @Test
    void aClaimOnAModelThatFailedToLoadLetsItsJobFailAtOnceWithTheReason() throws Exception {
        loadsAllowed.release();
        ModelRepository.Lease claim = models.lease("broken");
        assertThatThrownBy(() -> models.load("broken").get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ServiceException.class);
        assertThat(models.status("broken").state()).isEqualTo(ModelState.FAILED);
        assertThat(claim.ready()).isTrue();
        assertThatThrownBy(claim::pipeline).isInstanceOfSatisfying(ServiceException.class, e -> {
            assertThat(e.problem().code()).isEqualTo(ErrorCode.MODEL_NOT_LOADED.name());
            assertThat(e.getMessage()).contains("model_index.json");
        });
        claim.close();
        // the budget it held is free for the others
        loadsAllowed.release();
        assertThat(models.load("a").get(30, TimeUnit.SECONDS).id()).isEqualTo("a");
    }
}
