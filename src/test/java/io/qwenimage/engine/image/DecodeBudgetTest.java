package io.qwenimage.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DecodeBudgetTest {

    @Test
    void refusesWhatDoesNotFitBesideTheDecodesInFlightAndTakesItOnceOneEnds() {
        DecodeBudget budget = new DecodeBudget(100);
        DecodeBudget.Lease big = budget.acquire(70);
        DecodeBudget.Lease small = budget.acquire(30);
        assertThatThrownBy(() -> budget.acquire(1)).isInstanceOf(DecodeBudgetExceededException.class)
                .hasMessageContaining("100 of 100");
        big.close();
        big.close(); // given back once
        assertThat(budget.inFlight()).isEqualTo(30);
        assertThatThrownBy(() -> budget.acquire(71)).isInstanceOf(DecodeBudgetExceededException.class);
        try (DecodeBudget.Lease again = budget.acquire(70)) {
            assertThat(budget.inFlight()).isEqualTo(100);
        }
        small.close();
        assertThat(budget.inFlight()).isZero();
    }

    @Test
    void theHeaderAloneGivesTheEstimateWithoutDecoding() {
        // a header with no pixel data at all: decoding it would fail, reading its header does not
        ImageHeader header = ImageCodec.header(io.qwenimage.testing.TestImages.pngHeaderOnly(4096, 4096),
                1L << 24);
        assertThat(header.format()).isEqualTo(ImageFormat.PNG);
        assertThat(header.pixels()).isEqualTo(4096L * 4096);
        assertThat(header.decodingBytes()).isEqualTo(4096L * 4096 * ImageHeader.DECODING_BYTES_PER_PIXEL);
        assertThatThrownBy(() -> ImageCodec.header(io.qwenimage.testing.TestImages.pngHeaderOnly(4097, 4096),
                1L << 24)).isInstanceOf(ImageTooLargeException.class);
    }
}
