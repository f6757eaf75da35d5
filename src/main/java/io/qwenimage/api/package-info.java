/**
 * REST resources and their DTOs: the seed-compatible native endpoints, the error envelope and the one place where
 * engine and queue exceptions become HTTP statuses.
 */
package io.qwenimage.api;
