package io.qwenimage.observability;

import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Logs one line whose fields are also in the MDC while it is written, so that JSON logs carry them as
 * structured fields ({@code "mdc": {...}}) and text logs as {@code key=value} in the message.
 */
final class StructuredLog {

    private StructuredLog() {
    }

    static void info(Logger log, String event, Map<String, ?> fields) {
        if (!log.isInfoEnabled()) {
            return;
        }
        StringBuilder message = new StringBuilder(event);
        fields.forEach((k, v) -> {
            if (v != null) {
                message.append(' ').append(k).append('=').append(v);
                MDC.put(k, String.valueOf(v));
            }
        });
        try {
            log.info(message.toString());
        } finally {
            fields.keySet().forEach(MDC::remove);
        }
    }
}
