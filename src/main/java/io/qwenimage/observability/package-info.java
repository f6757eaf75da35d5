/**
 * What operators see: Micrometer meters ({@code qwen.*}, rendered {@code qwen_*} by the Prometheus registry), request
 * ids in every log line of a request, one access-log line per request, one audit line per generation, and
 * OpenTelemetry spans for queue wait and each phase of a generation.
 */
package io.qwenimage.observability;
