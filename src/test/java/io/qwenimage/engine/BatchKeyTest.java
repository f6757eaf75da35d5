package io.qwenimage.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.engine.model.ModelFamily;
import io.qwenimage.engine.scheduler.SchedulerKind;
import org.junit.jupiter.api.Test;

/**
 * Which requests may share the model calls of one batch on the flow-matching families: the family is part of the
 * key; FLUX's distilled guidance is a per-row input (any values batch together) while its true CFG adds a pass; T5's
 * length fixes the text tokens.
 */
class BatchKeyTest {

    private static GenerationRequest request(double guidance, double trueCfg, int maxSequenceLength) {
        return new GenerationRequest("a cat", "", 64, 64, 4, guidance, SchedulerKind.FLOW_MATCH_EULER, 1, 1, null,
                1.0, maxSequenceLength, trueCfg);
    }

    @Test
    void fluxBatchesAcrossDistilledGuidanceButNotAcrossTrueCfgOrT5Length() {
        BatchKey plain = BatchKey.of(ModelFamily.FLUX, request(3.5, 1.0, 0));
        assertThat(BatchKey.of(ModelFamily.FLUX, request(6.0, 1.0, 0))).isEqualTo(plain);
        assertThat(BatchKey.of(ModelFamily.FLUX, request(3.5, 4.0, 0))).isNotEqualTo(plain);
        assertThat(BatchKey.of(ModelFamily.FLUX, request(3.5, 1.0, 256))).isNotEqualTo(plain);
    }

    @Test
    void sd3IsGuidedByGuidanceScaleAndTheFamilyIsPartOfTheKey() {
        BatchKey guided = BatchKey.of(ModelFamily.STABLE_DIFFUSION_3, request(7.0, 1.0, 0));
        assertThat(BatchKey.of(ModelFamily.STABLE_DIFFUSION_3, request(5.0, 1.0, 0))).isEqualTo(guided);
        assertThat(BatchKey.of(ModelFamily.STABLE_DIFFUSION_3, request(1.0, 1.0, 0))).isNotEqualTo(guided);
        assertThat(BatchKey.of(ModelFamily.FLUX, request(7.0, 1.0, 0)))
                .isNotEqualTo(BatchKey.of(ModelFamily.STABLE_DIFFUSION_3, request(7.0, 1.0, 0)));
    }
}
