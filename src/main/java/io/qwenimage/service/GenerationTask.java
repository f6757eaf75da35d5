package io.qwenimage.service;

import io.qwenimage.engine.BatchEntry;
import io.qwenimage.engine.BatchResults;
import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.GenerationResult;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.jobs.BatchMember;
import io.qwenimage.jobs.BatchableTask;
import io.qwenimage.jobs.JobHooks;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * One generation as a queue task: runs the request on the pipeline, alone or batched with compatible requests,
 * then turns the pictures into what its caller sends ({@code then}: encoding, on the worker thread).
 */
final class GenerationTask<T> implements BatchableTask<T> {

    private static final Logger LOG = Logger.getLogger(GenerationTask.class);

    private final ModelRepository.Lease model;
    private final GenerationRequest request;
    private final JobHooks hooks;
    private final Function<GenerationResult, T> then;
    private final Finisher finisher;

    GenerationTask(ModelRepository.Lease model, GenerationRequest request, JobHooks hooks, Finisher finisher,
                   Function<GenerationResult, T> then) {
        this.model = model;
        this.request = request;
        this.hooks = hooks;
        this.finisher = finisher;
        this.then = then;
    }

    @Override
    public T run(CancellationToken cancel, ProgressListener progress) {
        try (JobHooks.Scope scope = hooks.started()) {
            LOG.debugf("generating %dx%d, %d step(s), %s, %d image(s)", request.width(), request.height(),
                    request.steps(), request.scheduler().apiName(), request.numImages());
            ProgressListener watched = watched(progress);
            GenerationResult generated = model.pipeline().generate(request, watched, cancel);
            return then.apply(finisher.finish(generated, model.pipeline(), cancel, watched));
        }
    }

    /** One lane per model: the queue takes turns across models. */
    @Override
    public Object lane() {
        return model.id();
    }

    /** Once its model is loaded (or its load failed: the job then fails at once with the reason). */
    @Override
    public boolean canStart() {
        return model.ready();
    }

    @Override
    public Object batchKey() {
        // batches form within one model only: two models of one family share a key otherwise; a job whose model
        // failed to load runs alone (and fails with the reason), and so does one with a finishing stage
        if (finisher != Finisher.NONE) {
            return null;
        }
        Object key = model.loadedPipeline().map(p -> p.batchKey(request)).orElse(null);
        return key == null ? null : List.of(model.id(), key);
    }

    @Override
    public int batchWeight() {
        return request.numImages();
    }

    @Override
    public void runTogether(List<BatchMember<?>> members) {
        List<GenerationTask<?>> tasks = new ArrayList<>(members.size());
        List<BatchEntry> entries = new ArrayList<>(members.size());
        JobHooks.Scope[] scopes = new JobHooks.Scope[members.size()];
        try {
            for (int i = 0; i < members.size(); i++) {
                BatchMember<?> member = members.get(i);
                GenerationTask<?> task = (GenerationTask<?>) member.task();
                tasks.add(task);
                scopes[i] = task.hooks.startedInBatch();
                entries.add(new BatchEntry(task.request, task.watched(member.progress()), member.cancel()));
            }
            LOG.debugf("generating %d requests together: %dx%d, %d step(s), %s", members.size(), request.width(),
                    request.height(), request.steps(), request.scheduler().apiName());
            model.pipeline().generateTogether(entries, new BatchResults() {
                @Override
                public void succeeded(int index, GenerationResult result) {
                    deliver(members.get(index), tasks.get(index), result, () -> end(scopes, index));
                }

                @Override
                public void failed(int index, RuntimeException error) {
                    end(scopes, index);
                    members.get(index).fail(error);
                }
            });
        } finally {
            for (int i = 0; i < scopes.length; i++) {
                end(scopes, i);
            }
        }
    }

    /** Each member's scope ends when its own answer is ready, before the answer is published. */
    private static void end(JobHooks.Scope[] scopes, int index) {
        JobHooks.Scope scope = scopes[index];
        scopes[index] = null;
        if (scope != null) {
            scope.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static <V> void deliver(BatchMember<V> member, GenerationTask<?> task, GenerationResult result,
                                    Runnable endScope) {
        V value;
        try {
            value = ((GenerationTask<V>) task).then.apply(result);
        } catch (RuntimeException e) {
            endScope.run();
            member.fail(e);
            return;
        }
        endScope.run();
        member.succeed(value);
    }

    private ProgressListener watched(ProgressListener progress) {
        return new ProgressListener() {
            @Override
            public void onStep(int step, int total) {
                progress.onStep(step, total);
                hooks.onStep(step, total);
            }

            @Override
            public void onPhase(Phase phase) {
                hooks.onPhase(phase);
            }

            @Override
            public boolean wantsPreview(int step, int total) {
                return progress.wantsPreview(step, total);
            }

            @Override
            public void onPreview(int step, int total, RgbImage preview) {
                progress.onPreview(step, total, preview);
            }
        };
    }
}
