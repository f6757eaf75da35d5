package io.qwenimage.http;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a resource whose requests run generations: they count against the caller's rate limit, and each is
 * measured and audited as one generation (unless {@link #measured()} is false).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface GenerationRoute {

    /** False for a route that is rate limited like a generation but is not one (upscaling has its own meters). */
    boolean measured() default true;
}
