package io.qwenimage.security;

import java.util.Optional;

/** Supplies shared rate-limit buckets when replicas share state (Redis), none otherwise. */
public interface SharedLimits {

    Optional<SharedBuckets> buckets();
}
