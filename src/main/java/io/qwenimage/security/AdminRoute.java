package io.qwenimage.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a resource class or method as an admin route. {@link AccessRules} decides admin access from the path
 * before routing; {@link AdminRouteGuard} checks, once the router has chosen the method, that the request was
 * judged as an admin route, so that a path spelled in a way the rules did not foresee cannot reach it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface AdminRoute {
}
