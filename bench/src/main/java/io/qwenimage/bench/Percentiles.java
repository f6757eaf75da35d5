package io.qwenimage.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Samples and their percentiles (nearest rank), for the bench tools' reports. */
public final class Percentiles {

    private final List<Double> samples = Collections.synchronizedList(new ArrayList<>());

    public void add(double value) {
        samples.add(value);
    }

    public int count() {
        return samples.size();
    }

    /** The {@code p}-th percentile (0 to 100), nearest rank; NaN without samples. */
    public double at(double p) {
        List<Double> sorted;
        synchronized (samples) {
            sorted = new ArrayList<>(samples);
        }
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    public double median() {
        return at(50);
    }

    /** "p50 x / p95 y / p99 z" with {@code format} for each value. */
    public String summary(String format) {
        return String.format(Locale.ROOT, "p50 " + format + " / p95 " + format + " / p99 " + format, at(50), at(95),
                at(99));
    }
}
