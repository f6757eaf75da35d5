package io.qwenimage.jobs;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The ids of jobs whose records were dropped (evicted for space or past their time to live), per owner, so that
 * asking for one answers "expired" (410) rather than "unknown" (404). Bounded twice: the newest {@code perOwner}
 * ids of each owner, and the {@code owners} owners that lost a job most recently; an id forgotten past those
 * bounds is answered as unknown, which is what it was before this set existed. Thread-safe.
 */
public final class Tombstones {

    private final int perOwner;
    private final int owners;
    private final LinkedHashMap<String, LinkedHashSet<String>> byOwner = new LinkedHashMap<>(16, 0.75f, true);

    public Tombstones(int perOwner, int owners) {
        this.perOwner = perOwner;
        this.owners = owners;
    }

    /** Remembers that {@code owner}'s job {@code id} is gone. */
    public synchronized void bury(String owner, String id) {
        Set<String> ids = byOwner.computeIfAbsent(owner, o -> new LinkedHashSet<>());
        ids.add(id);
        for (Iterator<String> it = ids.iterator(); ids.size() > perOwner; ) {
            it.next();
            it.remove();
        }
        for (Iterator<Map.Entry<String, LinkedHashSet<String>>> it = byOwner.entrySet().iterator();
             byOwner.size() > owners; ) {
            it.next();
            it.remove();
        }
    }

    /** True when {@code owner}'s job {@code id} was dropped (and is still remembered). */
    public synchronized boolean buried(String owner, String id) {
        Set<String> ids = byOwner.get(owner);
        return ids != null && ids.contains(id);
    }

    /** Forgets {@code id} (a record of that id was saved again). */
    public synchronized void revive(String owner, String id) {
        Set<String> ids = byOwner.get(owner);
        if (ids != null) {
            ids.remove(id);
        }
    }
}
