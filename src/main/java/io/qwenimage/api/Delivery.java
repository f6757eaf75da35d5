package io.qwenimage.api;

/**
 * How the client wants a generation delivered: answered on this request (JSON, or picture bytes when
 * {@code accept} asks for them), or as an asynchronous job (202 with its status URL).
 *
 * @param asJob          true for a job ({@code POST /jobs}, or {@code Prefer: respond-async})
 * @param accept         the Accept header of an answered request
 * @param idempotencyKey the job's Idempotency-Key, or null
 */
record Delivery(boolean asJob, String accept, String idempotencyKey) {

    static Delivery answer(String accept) {
        return new Delivery(false, accept, null);
    }

    static Delivery job(String idempotencyKey) {
        return new Delivery(true, null, idempotencyKey);
    }
}
