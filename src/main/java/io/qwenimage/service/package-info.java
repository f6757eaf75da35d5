/**
 * The running service's core bean: opens the model (configured folder or bundled demo), warms it up, owns the
 * job queue, and drains on shutdown. The REST resources and health checks read their state from here.
 */
package io.qwenimage.service;
