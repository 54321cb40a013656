package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.run.ApprovalRequest;
import dev.baton.runtime.AgentRuntime;
import dev.baton.runtime.TopicId;
import dev.baton.runtime.handoff.ApprovalDecision;
import dev.baton.runtime.handoff.HandoffDesk;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Desks on the publish/subscribe runtime over HTTP: a person sends a message on a session and gets
 * what the agents say next (an answer, calls waiting for approval, a failed turn); approvals are
 * decided the same way. The desk's agents run wherever the runtime hosts them (this process, or
 * workers on Kafka).
 */
final class RuntimeApi {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);

    /** One desk on a runtime, and the people talking to it over HTTP. */
    record Hosted(HandoffDesk<?> desk, AgentRuntime runtime, RuntimeSessions people) {
        /** Publishes {@code decision} to {@code agent}, the desk's agent that asked for it, on {@code session}. */
        void decide(String session, String agent, ApprovalDecision decision) {
            runtime.publish(decision, new TopicId(agent, session));
        }
    }

    private final Api api;
    private final Map<String, Hosted> desks;

    RuntimeApi(Api api, Map<String, Hosted> desks) {
        this.api = api;
        this.desks = desks;
    }

    void routes(HttpRouting.Builder r) {
        Api.route(r, "/api/runtime/{desk}/sessions/{session}/messages", Method.POST, this::message);
        Api.route(r, "/api/runtime/{desk}/sessions/{session}/decisions", Method.POST, this::decision);
        Api.route(r, "/api/runtime/{desk}/sessions/{session}/next", Method.GET, this::next);
    }

    /**
     * {@code ?wait_seconds=60}: what the agents say next to the session, without saying anything:
     * for a client whose request answered {@code no_answer_yet}, or after a decision made in the
     * approvals inbox.
     */
    private void next(ServerRequest req, ServerResponse res) {
        Hosted hosted = desk(req);
        String session = session(req);
        var param = req.query().first("wait_seconds");
        Duration wait = param.isPresent() ? waitOf(parsed(param.get())) : DEFAULT_WAIT;
        reply(res, hosted, session, wait);
    }

    private Hosted desk(ServerRequest req) {
        String name = req.path().pathParameters().get("desk");
        Hosted hosted = desks.get(name);
        if (hosted == null) {
            throw ApiError.notFound("No desk '" + name + "' on the runtime; desks on the runtime: " + desks.keySet());
        }
        return hosted;
    }

    private static String session(ServerRequest req) {
        String session = req.path().pathParameters().get("session");
        if (session == null || session.isBlank() || session.length() > 200) {
            throw ApiError.badRequest("A session id is 1 to 200 characters");
        }
        return session;
    }

    /** {@code {"message": "...", "wait_seconds": 60}}: publishes the message and answers what the agents say next. */
    private void message(ServerRequest req, ServerResponse res) {
        Hosted hosted = desk(req);
        String session = session(req);
        JsonNode body = api.jsonBody(req);
        String text = Api.text(body, "message", true);
        if (text.isBlank()) {
            throw ApiError.badRequest("'message' must not be blank");
        }
        Duration wait = waitOf(body);
        hosted.people().clear(session);
        hosted.desk().say(hosted.runtime(), session, text);
        reply(res, hosted, session, wait);
    }

    /**
     * {@code {"run_id": ..., "call_id": ..., "approved": true, "message": ..., "by": ...}}: decides one
     * call waiting for approval and answers what the agents say next.
     */
    private void decision(ServerRequest req, ServerResponse res) {
        Hosted hosted = desk(req);
        String session = session(req);
        JsonNode body = api.jsonBody(req);
        String runId = Api.text(body, "run_id", true);
        String callId = Api.text(body, "call_id", true);
        JsonNode approved = body.get("approved");
        if (approved == null || !approved.isBoolean()) {
            throw ApiError.badRequest("'approved' must be true or false");
        }
        String agent = Api.text(body, "agent", true);
        if (!hosted.desk().agents().contains(agent)) {
            throw ApiError.badRequest("'agent' must be one of the desk's agents " + hosted.desk().agents() + ", not '" + agent + "'");
        }
        Duration wait = waitOf(body);
        hosted.people().clear(session);
        hosted.decide(session, agent, new ApprovalDecision(runId, callId, approved.asBoolean(), body.path("always").asBoolean(false),
                Api.text(body, "message", false), Api.text(body, "by", false)));
        reply(res, hosted, session, wait);
    }

    private static Duration waitOf(JsonNode body) {
        JsonNode w = body.get("wait_seconds");
        if (w == null || w.isNull()) {
            return DEFAULT_WAIT;
        }
        return waitOf(w.isNumber() ? w.asDouble() : Double.NaN);
    }

    private static double parsed(String seconds) {
        try {
            return Double.parseDouble(seconds);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** {@code seconds} as a wait, refused unless above 0 and at most {@link #MAX_WAIT} (NaN: not a number). */
    private static Duration waitOf(double seconds) {
        if (!(seconds > 0) || seconds > MAX_WAIT.toSeconds()) {
            throw ApiError.badRequest("'wait_seconds' must be a number of seconds above 0 and at most " + MAX_WAIT.toSeconds());
        }
        return Duration.ofMillis((long) (seconds * 1000));
    }

    private static void reply(ServerResponse res, Hosted hosted, String session, Duration wait) {
        RuntimeSessions.Heard heard;
        try {
            heard = hosted.people().next(session, wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "interrupted", "The server is stopping");
        }
        ObjectNode out = JSON.objectNode();
        out.put("session", session);
        switch (heard) {
            case null -> {
                out.put("type", "no_answer_yet");
                out.put("message", "No agent answered within the wait; the conversation goes on: GET /api/runtime/"
                        + hosted.desk().name() + "/sessions/" + session + "/next waits for what they say");
                Api.send(res, Status.ACCEPTED_202, out);
                return;
            }
            case RuntimeSessions.Heard.Answer a -> {
                out.put("type", "answer");
                out.put("agent", a.response().agent());
                out.put("text", a.response().text());
                out.put("run_id", a.response().runId());
                out.put("holder", a.response().replyToTopicType());
            }
            case RuntimeSessions.Heard.Waiting w -> {
                out.put("type", "approval_required");
                out.put("agent", w.approval().agent());
                out.put("run_id", w.approval().runId());
                ArrayNode pending = out.putArray("pending");
                for (ApprovalRequest p : w.approval().pending()) {
                    pending.addObject().put("call_id", p.callId()).put("tool", p.toolName()).put("arguments", p.arguments());
                }
            }
            case RuntimeSessions.Heard.Failed f -> {
                out.put("type", "failed");
                out.put("agent", f.failure().agent());
                out.put("error", f.failure().error());
            }
        }
        Api.send(res, Status.OK_200, out);
    }
}
