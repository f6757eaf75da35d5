/**
 * The error catalogue: every code this service answers with its HTTP status, category and retry advice
 * ({@link io.qwenimage.errors.ErrorCode}), the one table from exceptions to errors
 * ({@link io.qwenimage.errors.ErrorCatalogue}) and the resolved error itself ({@link io.qwenimage.errors.Problem}).
 * The JAX-RS mappers ({@code api}) and the Vert.x handlers ({@code security}) both write what it resolves; it imports
 * only the plain-Java packages whose exceptions it names ({@code engine}, {@code jobs}), so every other package can
 * use it without a cycle.
 */
package io.qwenimage.errors;
