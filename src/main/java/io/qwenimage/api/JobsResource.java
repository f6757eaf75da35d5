package io.qwenimage.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.service.Generations;
import io.qwenimage.service.JobAnswer;
import io.qwenimage.service.JobStatus;
import io.qwenimage.service.PreviewPicture;
import io.qwenimage.service.PreviewPictures;
import io.qwenimage.service.ProgressStream;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code /jobs/{id}}: the status of an asynchronous job (queued with its position, running with step, total and
 * ETA, succeeded with the result, failed with the error, cancelled), its cancellation, and its progress as
 * Server-Sent Events. A caller sees only its own jobs; any other id is 404, a job of its own whose record is gone
 * 410.
 *
 * <p>A stored document is answered as the shared bytes it was serialized to once, without parsing or copying it
 * per reader. Progress streams are capped per job and per caller (429 {@code TOO_MANY_SUBSCRIBERS}), and a
 * stream whose client leaves more than {@code qwen.jobs.events-max-unread-bytes} unread for longer than
 * {@code qwen.jobs.events-drain-timeout} is disconnected, which frees what was queued for it.
 */
@Path("/jobs/{id}")
public class JobsResource {

    private static final ScheduledExecutorService TICKS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "qwen-job-events");
        t.setDaemon(true);
        return t;
    });

    private final Generations generations;
    private final ObjectMapper json;
    private final int maxUnreadBytes;
    private final long drainTimeoutNanos;

    public JobsResource(Generations generations, ObjectMapper json, QwenConfig config) {
        this.generations = generations;
        this.json = json;
        this.maxUnreadBytes = config.jobs().eventsMaxUnreadBytes();
        this.drainTimeoutNanos = config.jobs().eventsDrainTimeout().toNanos();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response status(@PathParam("id") String id) {
        JobAnswer answer = generations.job(id);
        if (!answer.isStored()) {
            return Response.ok(answer.live(), MediaType.APPLICATION_JSON_TYPE).build();
        }
        // a view of the shared direct bytes: written to the socket as they are, one copy for every reader
        Buffer shared = Buffer.buffer(Unpooled.wrappedBuffer(answer.bytes()));
        return Response.ok(shared, MediaType.APPLICATION_JSON_TYPE).build();
    }

    /**
     * Queued: removed at once. Running: stops within one step (on another replica: asked through the job store,
     * answered once it stopped or after two seconds). Finished: 409.
     */
    @DELETE
    @Produces(MediaType.APPLICATION_JSON)
    public Response cancel(@PathParam("id") String id) {
        return Response.accepted(generations.cancelJob(id)).build();
    }

    /**
     * One {@code progress} event whenever status, position or step change (checked every 200 ms), then one
     * {@code done} event with the final status document, and the stream ends. With {@code ?preview=true} the job
     * makes live previews and each {@code progress} event carries the latest as {@code preview} (a PNG data URL);
     * without it the job makes none.
     */
    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    public Multi<OutboundSseEvent> events(@PathParam("id") String id,
                                          @QueryParam("preview") @DefaultValue("false") boolean preview,
                                          @Context Sse sse, @Context HttpServerResponse response) {
        ProgressStream stream = generations.openProgressStream(id, preview);
        response.setWriteQueueMaxSize(maxUnreadBytes);
        return Multi.createFrom().<OutboundSseEvent>emitter(emitter -> {
            AtomicReference<List<Object>> last = new AtomicReference<>();
            AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
            AtomicLong stalledSince = new AtomicLong();
            AtomicBoolean doneSent = new AtomicBoolean();
            task.set(TICKS.scheduleAtFixedRate(() -> {
                try {
                    if (stalled(response, stalledSince)) {
                        // the client does not read: what is queued for it stays in memory until it goes
                        response.close();
                        emitter.complete();
                        return;
                    }
                    if (doneSent.get()) {
                        if (!response.writeQueueFull()) {
                            emitter.complete();     // the final document has gone out
                        }
                        return;
                    }
                    JobAnswer answer = stream.poll();
                    if (answer.terminal()) {
                        String data = answer.isStored() ? answer.text() : json.writeValueAsString(answer.live());
                        emitter.emit(sse.newEventBuilder().name("done").id(id).data(data).build());
                        doneSent.set(true);
                        return;
                    }
                    JobStatus view = generations.document(answer);
                    PreviewPicture latest = stream.preview();
                    List<Object> key = java.util.Arrays.asList(answer.status(), view.position(), view.step(),
                            latest == null ? null : latest.index());
                    if (!Objects.equals(last.getAndSet(key), key)) {
                        emitter.emit(sse.newEventBuilder().name("progress").id(id)
                                .data(progressEvent(view, latest)).build());
                    }
                } catch (JsonProcessingException | RuntimeException ex) {
                    if (!Generations.storeUnavailable(ex)) {
                        emitter.fail(ex);
                    }
                    // else Redis is away for a moment: the stream waits for it rather than ending
                }
            }, 5, 200, TimeUnit.MILLISECONDS));
            // completed, failed, or the client went away: stop polling, free the place
            emitter.onTermination(() -> {
                task.get().cancel(false);
                stream.close();
            });
        });
    }

    /** A progress event's data: the status document, with the live preview when there is one. */
    private String progressEvent(JobStatus view, PreviewPicture latest) throws JsonProcessingException {
        if (latest == null) {
            return json.writeValueAsString(view);
        }
        ObjectNode node = json.valueToTree(view);
        node.put("preview", PreviewPictures.dataUrl(latest));
        node.put("preview_step", latest.step());
        return json.writeValueAsString(node);
    }

    /** True once the client has left more than the bound unread for longer than the drain timeout. */
    private boolean stalled(HttpServerResponse response, AtomicLong stalledSince) {
        if (!response.writeQueueFull()) {
            stalledSince.set(0);
            return false;
        }
        long now = System.nanoTime();
        stalledSince.compareAndSet(0, now);
        return now - stalledSince.get() > drainTimeoutNanos;
    }
}
