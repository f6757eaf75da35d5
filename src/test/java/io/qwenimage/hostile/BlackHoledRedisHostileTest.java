package io.qwenimage.hostile;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Issue 16, item 2, against a Redis that accepts connections and never answers. */
@QuarkusTest
@TestProfile(SilentRedisChecks.BlackHole.class)
class BlackHoledRedisHostileTest extends SilentRedisChecks {
}
