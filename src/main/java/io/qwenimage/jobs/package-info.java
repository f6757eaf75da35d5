/**
 * The job queue, plain Java (no HTTP, no CDI): atomic bounded admission, a fixed pool of worker threads that own
 * the generations, per-job deadlines and cancellation, progress, and draining on shutdown. It knows nothing of
 * HTTP; its typed exceptions ({@link io.qwenimage.jobs.QueueFullException}, ...) are mapped in one place by the
 * REST layer.
 */
package io.qwenimage.jobs;
