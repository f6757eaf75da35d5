/** The service's configuration ({@code qwen.*}), validated at startup. */
package io.qwenimage.config;
