/** Picture decoding with a pixel limit checked before decoding, and PNG/JPEG encoding with parameters. */
package io.qwenimage.engine.image;
