package io.qwenimage.hostile;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Issue 16, item 2, against a Redis port where nothing listens. */
@QuarkusTest
@TestProfile(SilentRedisChecks.Refused.class)
class RefusedRedisHostileTest extends SilentRedisChecks {
}
