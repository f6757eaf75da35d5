package io.qwenimage.observability;

import io.qwenimage.engine.model.ModelInfo;

/**
 * CDI event: the model is loaded and warmed up, and the service is about to take generations.
 *
 * @param model            what was loaded
 * @param provider         the execution provider in use (cpu, cuda)
 * @param loadSeconds      reading the model and creating its sessions
 * @param warmUpSeconds    the first, throw-away generation
 */
public record ModelLoaded(ModelInfo model, String provider, double loadSeconds, double warmUpSeconds) {
}
