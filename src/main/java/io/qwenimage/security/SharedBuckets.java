package io.qwenimage.security;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import java.util.concurrent.CompletionStage;

/** Rate-limit buckets shared by replicas (Redis), taken from without blocking the calling thread. */
public interface SharedBuckets {

    /** Takes one token from {@code client}'s bucket (created with {@code configuration} when absent). */
    CompletionStage<ConsumptionProbe> tryConsume(String client, BucketConfiguration configuration);
}
