/** Kubernetes probes: startup (model loaded and warmed up), readiness (not draining), liveness (no stuck worker). */
package io.qwenimage.health;
