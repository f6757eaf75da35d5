package io.qwenimage.service;

import io.qwenimage.jobs.Job;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The jobs each caller has queued or running now, for AUTOMATIC1111's progress and interrupt. */
@ApplicationScoped
public class RunningJobs {

    private final ConcurrentHashMap<String, Set<Job<?>>> byOwner = new ConcurrentHashMap<>();

    /** Tracks {@code job} until it ends. */
    public void add(String owner, Job<?> job) {
        byOwner.computeIfAbsent(owner, o -> ConcurrentHashMap.newKeySet()).add(job);
        job.result().whenComplete((r, e) -> byOwner.computeIfPresent(owner, (o, jobs) -> {
            jobs.remove(job);
            return jobs.isEmpty() ? null : jobs;
        }));
    }

    /** The caller's jobs, oldest first is not guaranteed. */
    public List<Job<?>> of(String owner) {
        Set<Job<?>> jobs = byOwner.get(owner);
        return jobs == null ? List.of() : List.copyOf(jobs);
    }
}
