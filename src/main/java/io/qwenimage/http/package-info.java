/**
 * The small HTTP vocabulary that {@code api}, {@code security} and {@code observability} share without importing
 * one another's classes: the error envelope of each wire format, and the mark of a generation route.
 */
package io.qwenimage.http;
