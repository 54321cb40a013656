package dev.baton.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.durable.DurableClient;
import dev.baton.durable.EventStream;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.durable.RunStore;
import dev.baton.item.Message;
import dev.baton.model.Usage;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JSON API under {@code /api}: its routes, handlers and the JSON they answer with. */
final class Api {
    private static final Logger log = LoggerFactory.getLogger(Api.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;
    private static final int MAX_EVENTS = 1000;
    private static final HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");

    private final Desks desks;
    private final DurableClient client;
    private final RunStore store;
    private final int maxBodyBytes;
    private final Privacy privacy;

    Api(Desks desks, DurableClient client, int maxBodyBytes, Privacy privacy) {
        this.desks = desks;
        this.client = client;
        this.store = client.store();
        this.maxBodyBytes = maxBodyBytes;
        this.privacy = privacy;
    }

    /** The server's desks. */
    Desks desks() {
        return desks;
    }

    /** What this server shows of tool arguments and results. */
    Privacy privacy() {
        return privacy;
    }

    void routes(HttpRouting.Builder r) {
        route(r, "/api/health", Method.GET, this::health);
        route(r, "/api/desks", Method.GET, this::listDesks);
        route(r, "/api/desks/{desk}", Method.GET, this::getDesk);
        route(r, "/api/desks/{desk}/runs", Method.POST, this::startRun);
        route(r, "/api/runs", Method.GET, this::listRuns);
        route(r, "/api/runs/{id}", Method.GET, this::getRun);
        route(r, "/api/runs/{id}/events", Method.GET, this::events);
        route(r, "/api/runs/{id}/stream", Method.GET, this::stream);
        route(r, "/api/runs/{id}/cancel", Method.POST, this::cancel);
        r.any((req, res) -> {
            throw ApiError.notFound("No such endpoint: " + req.prologue().method().text() + " " + req.path().path());
        });
        r.error(ApiError.class, (req, res, e) -> sendError(res, e.status(), e.type(), e.getMessage()));
        r.error(RuntimeException.class, (req, res, e) -> {
            log.warn("Request {} {} failed", req.prologue().method().text(), req.path().path(), e);
            sendError(res, 500, "internal", "The server failed to answer: " + e.getMessage());
        });
    }

    /** The path answers {@code method} with {@code handler}, and any other method with 405. */
    static void route(HttpRouting.Builder r, String path, Method method, Handler handler) {
        r.route(method, path, handler);
        r.any(path, (req, res) -> {
            res.header(HeaderNames.ALLOW, method.text());
            throw new ApiError(405, "method_not_allowed",
                    req.prologue().method().text() + " is not allowed on " + req.path().path() + "; use " + method.text());
        });
    }

    // ---- handlers

    private void health(ServerRequest req, ServerResponse res) {
        ObjectNode body = JSON.createObjectNode().put("status", "ok");
        send(res, Status.OK_200, body);
    }

    private void listDesks(ServerRequest req, ServerResponse res) {
        ArrayNode list = JSON.createArrayNode();
        desks.byName().keySet().stream().sorted().forEach(name -> list.add(Desks.summary(desks.byName().get(name))));
        ObjectNode body = JSON.createObjectNode();
        body.set("desks", list);
        send(res, Status.OK_200, body);
    }

    private void getDesk(ServerRequest req, ServerResponse res) {
        send(res, Status.OK_200, Desks.detail(desk(req)));
    }

    private void startRun(ServerRequest req, ServerResponse res) {
        Desks.Desk desk = desk(req);
        JsonNode body = jsonBody(req);
        String input = text(body, "input", true);
        String session = text(body, "session", false);
        String context = context(desk, body.get("context"));
        String id = client.startRun(desk.name(), desk.entry().name(), List.of(Message.user(input)), session, context).id();
        RunRecord run = find(id);
        res.header(HeaderNames.LOCATION, "/api/runs/" + id);
        send(res, Status.CREATED_201, run(run, null));
    }

    /** The run's context as JSON text, null when none was given; refused when the desk takes none or it does not fit. */
    private static @Nullable String context(Desks.Desk desk, @Nullable JsonNode context) {
        if (context == null || context.isNull()) {
            return null;
        }
        if (!desk.takesContext()) {
            throw ApiError.badRequest("Desk '" + desk.name() + "' takes no context: its runs are started with input and session only");
        }
        String json = context.toString();
        if (desk.contextType() != null) {
            try {
                desk.context(json);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("'context' is not a context of desk '" + desk.name() + "': " + e.getMessage());
            }
        }
        return json;
    }

    /** The {@code after} parameter: the last run of the previous page, which must exist. */
    private @Nullable String after(ServerRequest req) {
        String after = param(req, "after");
        if (after != null && store.findRun(after).isEmpty()) {
            throw ApiError.badRequest("'after' must be a run's id (the 'next' of the previous page); there is no run '" + after + "'");
        }
        return after;
    }

    private void listRuns(ServerRequest req, ServerResponse res) {
        int limit = intParam(req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        RunQuery query = RunQuery.all()
                .withApplication(param(req, "desk"))
                .withAgent(param(req, "agent"))
                .withSession(param(req, "session"))
                .between(null, instantParam(req, "before"))
                .afterRun(after(req))
                .withLimit(limit);
        String statuses = param(req, "status");
        if (statuses != null) {
            query = query.withStatuses(statuses(statuses).toArray(RunStatus[]::new));
        }
        List<RunRecord> runs = RunSearch.find(store, query, param(req, "q"));
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("runs");
        runs.forEach(r -> list.add(run(r, null)));
        body.put("next", runs.size() == limit ? runs.get(runs.size() - 1).id() : null);
        send(res, Status.OK_200, body);
    }

    private void getRun(ServerRequest req, ServerResponse res) {
        RunRecord run = find(req.path().pathParameters().get("id"));
        send(res, Status.OK_200, run(run, path(run)));
    }

    private void events(ServerRequest req, ServerResponse res) {
        RunRecord run = find(req.path().pathParameters().get("id"));
        long from = intParam(req, "from", 0, 0, Integer.MAX_VALUE);
        int limit = intParam(req, "limit", MAX_EVENTS, 1, MAX_EVENTS);
        List<RecordedEvent> events = store.events(run.id(), from, limit);
        ObjectNode body = JSON.createObjectNode();
        body.put("runId", run.id());
        ArrayNode list = body.putArray("events");
        events.forEach(e -> list.add(event(e)));
        body.put("next", from + events.size());
        send(res, Status.OK_200, body);
    }

    /**
     * The run's events as Server-Sent Events, followed live until the run ends or pauses (the
     * store's notifier wakes the stream), then an {@code end} event with the run. Each event's id is
     * its sequence number, so a client resumes after the last one it got with {@code Last-Event-ID}.
     */
    private void stream(ServerRequest req, ServerResponse res) {
        RunRecord run = find(req.path().pathParameters().get("id"));
        long from = lastEventId(req).map(seq -> seq + 1).orElseGet(() -> (long) intParam(req, "from", 0, 0, Integer.MAX_VALUE));
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        try (EventStream events = client.attach(run.id()).events(from);
                OutputStream out = res.outputStream()) {
            out.write(": run %s from event %d\n\n".formatted(run.id(), from).getBytes(StandardCharsets.UTF_8));
            out.flush();
            for (RecordedEvent e : events) {
                sse(out, Long.toString(e.seq()), e.type(), event(e));
            }
            sse(out, null, "end", run(find(run.id()), null));
        } catch (IOException e) {
            log.debug("The stream of run {} ended early: the client went away", run.id(), e);
        }
    }

    private static Optional<Long> lastEventId(ServerRequest req) {
        Optional<String> header = req.headers().first(LAST_EVENT_ID);
        if (header.isEmpty() || header.get().isBlank()) {
            return Optional.empty();
        }
        try {
            long seq = Long.parseLong(header.get().trim());
            if (seq < 0) {
                throw ApiError.badRequest("'Last-Event-ID' must be an event's sequence number, got " + seq);
            }
            return Optional.of(seq);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("'Last-Event-ID' must be an event's sequence number, got '" + header.get() + "'");
        }
    }

    private static void sse(OutputStream out, @Nullable String id, String event, JsonNode data) throws IOException {
        StringBuilder frame = new StringBuilder();
        if (id != null) {
            frame.append("id: ").append(id).append('\n');
        }
        // Compact JSON has no line breaks (those in strings are escaped), so the data is one line.
        frame.append("event: ").append(event).append('\n').append("data: ").append(JSON.writeValueAsString(data)).append("\n\n");
        out.write(frame.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        RunRecord run = find(req.path().pathParameters().get("id"));
        if (run.status().isTerminal() || !client.attach(run.id()).cancel()) {
            RunRecord now = find(run.id());
            throw ApiError.conflict("Run " + run.id() + " has already ended (" + now.status().name().toLowerCase(Locale.ROOT) + ")");
        }
        send(res, Status.OK_200, run(find(run.id()), null));
    }

    // ---- reading requests

    private Desks.Desk desk(ServerRequest req) {
        String name = req.path().pathParameters().get("desk");
        return desks.find(name).orElseThrow(() -> ApiError.notFound("No desk named '" + name + "'"));
    }

    /** The largest request body accepted, in bytes: the forms of the web UI are held to it too. */
    int maxBodyBytes() {
        return maxBodyBytes;
    }

    RunRecord find(String id) {
        return store.findRun(id).orElseThrow(() -> ApiError.notFound("No run with id '" + id + "'"));
    }

    /** The request body as JSON, refused when over the size limit or not a JSON object. */
    JsonNode jsonBody(ServerRequest req) {
        byte[] bytes = Bodies.read(req, maxBodyBytes);
        if (bytes == null) {
            throw tooLarge();
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new ApiError(400, "invalid_json", "The body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "invalid_json", "The body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ApiError tooLarge() {
        return new ApiError(413, "payload_too_large", "The body is larger than " + maxBodyBytes + " bytes");
    }

    static @Nullable String text(JsonNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiError.badRequest("'" + field + "' is required");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw ApiError.badRequest("'" + field + "' must be a non-blank string");
        }
        return v.asText();
    }

    static @Nullable String param(ServerRequest req, String name) {
        return req.query().contains(name) ? blankToNull(req.query().get(name)) : null;
    }

    private static @Nullable String blankToNull(String s) {
        return s.isBlank() ? null : s;
    }

    static int intParam(ServerRequest req, String name, int fallback, int min, int max) {
        String v = param(req, name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw ApiError.badRequest("'" + name + "' must be from " + min + " to " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("'" + name + "' must be a whole number, got '" + v + "'");
        }
    }

    private static @Nullable Instant instantParam(ServerRequest req, String name) {
        String v = param(req, name);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v.trim());
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("'" + name + "' must be an ISO-8601 instant such as 2026-01-31T09:00:00Z, got '" + v + "'");
        }
    }

    private static Set<RunStatus> statuses(String csv) {
        Set<RunStatus> set = EnumSet.noneOf(RunStatus.class);
        for (String s : csv.split(",")) {
            String name = s.trim().toUpperCase(Locale.ROOT);
            try {
                set.add(RunStatus.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("Unknown status '" + s.trim() + "'; one of " + EnumSet.allOf(RunStatus.class).stream()
                        .map(st -> st.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
            }
        }
        return set;
    }

    // ---- JSON answers

    /** The agents the run went through, in order, from its events (consecutive repeats folded). */
    private List<String> path(RunRecord run) {
        List<String> path = new ArrayList<>(List.of(run.startAgent()));
        long from = 0;
        while (true) {
            List<RecordedEvent> batch = store.events(run.id(), from, MAX_EVENTS);
            for (RecordedEvent e : batch) {
                if (!e.agent().equals(path.get(path.size() - 1))) {
                    path.add(e.agent());
                }
            }
            from += batch.size();
            if (batch.size() < MAX_EVENTS) {
                return path;
            }
        }
    }

    static ObjectNode run(RunRecord r, @Nullable List<String> path) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", r.id());
        n.put("desk", r.application());
        n.put("status", r.status().name().toLowerCase(Locale.ROOT));
        n.put("startAgent", r.startAgent());
        n.put("currentAgent", r.currentAgent());
        n.put("session", r.sessionId());
        n.set("context", r.context() == null ? null : parse(r.context()));
        if (path != null) {
            ArrayNode p = n.putArray("path");
            path.forEach(p::add);
        }
        n.set("usage", usage(r.usage()));
        n.put("createdAt", r.createdAt().toString());
        n.put("updatedAt", r.updatedAt().toString());
        n.put("durationMs", java.time.Duration.between(r.createdAt(), r.updatedAt()).toMillis());
        n.set("output", r.finalOutput() == null ? null : parse(r.finalOutput()));
        n.put("error", r.error());
        return n;
    }

    private static ObjectNode usage(Usage u) {
        return JSON.createObjectNode()
                .put("requests", u.requests())
                .put("inputTokens", u.inputTokens())
                .put("outputTokens", u.outputTokens())
                .put("totalTokens", u.totalTokens());
    }

    ObjectNode event(RecordedEvent e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("seq", e.seq());
        n.put("type", e.type());
        n.put("agent", e.agent());
        n.put("at", e.at().toString());
        n.set("data", privacy.data(e));
        return n;
    }

    /** JSON text the store holds, as a JSON value (kept as a string if it does not parse). */
    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }

    static void send(ServerResponse res, Status status, JsonNode body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        try {
            res.send(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a JSON answer", e);
        }
    }

    private static void sendError(ServerResponse res, int status, String type, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("type", type).put("message", message);
        send(res, Status.create(status), body);
    }
}
