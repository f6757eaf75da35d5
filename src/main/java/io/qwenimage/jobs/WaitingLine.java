package io.qwenimage.jobs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The jobs waiting for a worker, in one lane per {@link JobTask#lane()} (one per model), served round-robin across
 * lanes and in arrival order within each: a burst of jobs for one model cannot starve another model's jobs, which
 * wait behind at most one job of each other lane per job ahead of them in their own. A lane whose first job cannot
 * start yet ({@link JobTask#canStart()}: its model is loading) is passed over without losing its turn, so the
 * others keep being served meanwhile.
 */
final class WaitingLine {

    private static final Object DEFAULT_LANE = new Object();

    private static final class Lane {
        final ArrayDeque<Job<?>> jobs = new ArrayDeque<>();
        boolean blocked;
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Lanes with jobs, in the order their turns come: the next lane served is the first that can start. */
    private final LinkedHashMap<Object, Lane> lanes = new LinkedHashMap<>();
    private int size;

    void add(Job<?> job) {
        lock.lock();
        try {
            lanes.computeIfAbsent(laneOf(job), k -> new Lane()).jobs.add(job);
            size++;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Removes {@code job}; false when it was not waiting. */
    boolean remove(Job<?> job) {
        lock.lock();
        try {
            Object key = laneOf(job);
            Lane lane = lanes.get(key);
            if (lane == null || !lane.jobs.remove(job)) {
                return false;
            }
            size--;
            if (lane.jobs.isEmpty()) {
                lanes.remove(key);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the workers waiting for a job: a lane's first job may be able to start now. */
    void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next job that can start: the first job of the first lane (in turn order) that can start; that
     * lane's turn then passes to the back. Waits up to {@code timeout} for one; null when none came.
     */
    Job<?> take(long timeout, TimeUnit unit) throws InterruptedException {
        long left = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (true) {
                Job<?> job = next();
                if (job != null || left <= 0) {
                    return job;
                }
                left = changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private Job<?> next() {
        for (Iterator<Map.Entry<Object, Lane>> it = lanes.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Object, Lane> entry = it.next();
            Lane lane = entry.getValue();
            Job<?> first = lane.jobs.peek();
            if (!first.task().canStart()) {
                lane.blocked = true;
                continue;
            }
            if (lane.blocked) {
                // the wait for its model is not queueing: the queue timeout counts from now for this lane
                lane.blocked = false;
                long now = System.nanoTime();
                lane.jobs.forEach(j -> j.readySince(now));
            }
            lane.jobs.poll();
            size--;
            it.remove();
            if (!lane.jobs.isEmpty()) {
                lanes.put(entry.getKey(), lane);      // to the back: the other lanes' turns come first
            }
            return first;
        }
        return null;
    }

    /**
     * 1 for the next job a worker takes, 2 for the one after, ... as the turns go now (a lane waiting for its model
     * counted as if it could start); 0 when {@code job} is not waiting.
     */
    int position(Job<?> job) {
        lock.lock();
        try {
            Object key = laneOf(job);
            Lane own = lanes.get(key);
            if (own == null) {
                return 0;
            }
            int index = 0;
            for (Job<?> j : own.jobs) {
                if (j == job) {
                    break;
                }
                index++;
            }
            if (index == own.jobs.size()) {
                return 0;
            }
            int ahead = index;
            boolean before = true;      // lanes before this one in turn order get one more turn first
            for (Map.Entry<Object, Lane> entry : lanes.entrySet()) {
                if (entry.getValue() == own) {
                    before = false;
                    continue;
                }
                ahead += Math.min(entry.getValue().jobs.size(), index + (before ? 1 : 0));
            }
            return ahead + 1;
        } finally {
            lock.unlock();
        }
    }

    /** The jobs waiting now in the lane {@code job} is (or was) in, in order: the candidates to batch with it. */
    List<Job<?>> sameLane(Job<?> job) {
        lock.lock();
        try {
            Lane lane = lanes.get(laneOf(job));
            return lane == null ? List.of() : new ArrayList<>(lane.jobs);
        } finally {
            lock.unlock();
        }
    }

    /** Every waiting job, lane by lane. */
    List<Job<?>> all() {
        lock.lock();
        try {
            List<Job<?>> all = new ArrayList<>(size);
            lanes.values().forEach(l -> all.addAll(l.jobs));
            return all;
        } finally {
            lock.unlock();
        }
    }

    private static Object laneOf(Job<?> job) {
        return Objects.requireNonNullElse(job.task().lane(), DEFAULT_LANE);
    }
}
