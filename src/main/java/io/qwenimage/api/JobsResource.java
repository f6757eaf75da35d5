package io.qwenimage.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Blocking;
import io.qwenimage.security.Callers;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code /jobs/{id}}: the status of an asynchronous job (queued with its position, running with step, total and
 * ETA, succeeded with the result, failed with the error, cancelled), its cancellation, and its progress as
 * Server-Sent Events. A caller sees only its own jobs; any other id is 404.
 */
@Path("/jobs/{id}")
public class JobsResource {

    private static final ScheduledExecutorService TICKS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "qwen-job-events");
        t.setDaemon(true);
        return t;
    });

    private final AsyncGenerations async;
    private final Callers callers;
    private final ObjectMapper json;

    public JobsResource(AsyncGenerations async, Callers callers, ObjectMapper json) {
        this.async = async;
        this.callers = callers;
        this.json = json;
    }

    private Map<String, Object> find(String id) {
        return async.status(id, callers.current().id()).orElseThrow(() -> notFound(id));
    }

    private static ApiException notFound(String id) {
        return new ApiException(404, "JOB_NOT_FOUND", "validation", "no job " + id + " (finished jobs are kept for a "
                + "while, and only for whoever submitted them)", Map.of("id", id));
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> status(@PathParam("id") String id) {
        return find(id);
    }

    /**
     * Queued: removed at once. Running: stops within one step (on another replica: asked through the job store,
     * answered once it stopped or after two seconds). Finished: 409.
     */
    @DELETE
    @Produces(MediaType.APPLICATION_JSON)
    public Response cancel(@PathParam("id") String id) {
        return Response.accepted(async.cancel(id, callers.current().id()).orElseThrow(() -> notFound(id))).build();
    }

    /**
     * One {@code progress} event whenever status, position or step change (checked every 200 ms), then one
     * {@code done} event with the final status document, and the stream ends.
     */
    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    public Multi<OutboundSseEvent> events(@PathParam("id") String id, @Context Sse sse) {
        String owner = callers.current().id();
        find(id);
        return Multi.createFrom().emitter(emitter -> {
            AtomicReference<List<Object>> last = new AtomicReference<>();
            AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
            task.set(TICKS.scheduleAtFixedRate(() -> {
                try {
                    Map<String, Object> view = async.status(id, owner).orElseThrow(() -> notFound(id));
                    String status = (String) view.get("status");
                    boolean done = AsyncGenerations.terminal(status);
                    List<Object> key = java.util.Arrays.asList(status, view.get("position"), view.get("step"));
                    if (done || !Objects.equals(last.getAndSet(key), key)) {
                        emitter.emit(sse.newEventBuilder().name(done ? "done" : "progress").id(id)
                                .data(json.writeValueAsString(view))
                                .build());
                    }
                    if (done) {
                        emitter.complete();
                    }
                } catch (io.qwenimage.jobs.JobStoreUnavailableException ex) {
                    // Redis away for a moment: the stream waits for it rather than ending
                } catch (JsonProcessingException | RuntimeException ex) {
                    emitter.fail(ex);
                }
            }, 5, 200, TimeUnit.MILLISECONDS));
            // completed, failed, or the client went away: stop polling
            emitter.onTermination(() -> task.get().cancel(false));
        });
    }
}
