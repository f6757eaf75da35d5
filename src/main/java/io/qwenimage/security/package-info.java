/**
 * Who may call the service and how often: API keys (an {@code HttpAuthenticationMechanism} for {@code X-API-Key}
 * and {@code Authorization: Bearer}), the access policy per route, rate limits per key or client address, the
 * cap on jobs per key, security headers and the request-size guard. The key registry, the limiters and the
 * address ranges are plain Java; the classes that plug them into Quarkus stay thin.
 */
package io.qwenimage.security;
