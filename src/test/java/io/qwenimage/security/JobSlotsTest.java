package io.qwenimage.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class JobSlotsTest {

    @Test
    void aClientHoldsAtMostItsCapAndGetsSlotsBackWhenJobsEnd() {
        JobSlots slots = new JobSlots(2);
        JobSlots.Slot a = slots.acquire("k");
        JobSlots.Slot b = slots.acquire("k");
        assertThatThrownBy(() -> slots.acquire("k")).isInstanceOf(TooManyJobsException.class)
                .hasMessageContaining("2 generation(s)");
        assertThat(slots.acquire("other")).as("other clients are not affected").isNotNull();
        a.close();
        a.close();
        assertThat(slots.held("k")).as("closing twice gives back one slot").isEqualTo(1);
        slots.acquire("k");
        b.close();
        assertThat(slots.held("k")).isEqualTo(1);
    }

    @Test
    void concurrentAcquiresNeverExceedTheCap() throws Exception {
        JobSlots slots = new JobSlots(3);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> calls = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            calls.add(pool.submit(() -> {
                start.await();
                try {
                    slots.acquire("k");
                    return true;
                } catch (TooManyJobsException e) {
                    return false;
                }
            }));
        }
        start.countDown();
        int granted = 0;
        for (Future<Boolean> f : calls) {
            granted += f.get() ? 1 : 0;
        }
        pool.shutdownNow();
        assertThat(granted).isEqualTo(3);
        assertThat(slots.held("k")).isEqualTo(3);
    }

    @Test
    void zeroMeansNoCap() {
        JobSlots slots = new JobSlots(0);
        for (int i = 0; i < 100; i++) {
            slots.acquire("k");
        }
        assertThat(slots.held("k")).isZero();
    }
}
