package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.durable.DurableClient;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.model.Usage;
import dev.baton.server.OpenAiEndpoint.Answer;
import dev.baton.server.OpenAiEndpoint.OpenAiError;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenAI's Responses API over desks: {@code POST /v1/responses} runs the desk named by
 * {@code model} on a Baton session, and {@code previous_response_id} continues the conversation of
 * that response (its run's session), so a client sends only the new message. A response's id is
 * {@code resp_<run id>}; {@code GET /v1/responses/{id}} reads it back. Streamed, it sends the
 * Responses API's events, the answer's text as one delta once the run has answered.
 */
final class ResponsesEndpoint {
    private static final Logger log = LoggerFactory.getLogger(ResponsesEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "resp_";

    private final OpenAiEndpoint openAi;
    private final DurableClient client;

    ResponsesEndpoint(OpenAiEndpoint openAi, DurableClient client) {
        this.openAi = openAi;
        this.client = client;
    }

    void routes(HttpRouting.Builder r) {
        OpenAiEndpoint.route(r, "/v1/responses", Method.POST, this::create);
        OpenAiEndpoint.route(r, "/v1/responses/{id}", Method.GET, this::retrieve);
    }

    private void create(ServerRequest req, ServerResponse res) {
        JsonNode body = openAi.jsonBody(req);
        JsonNode modelField = body.get("model");
        if (modelField == null || !modelField.isTextual() || modelField.asText().isBlank()) {
            throw OpenAiError.invalid("model", "'model' is required: the name of a desk (see GET /v1/models)");
        }
        Desks.Desk desk = openAi.desk(modelField.asText(), "model");
        List<Item> input = input(body.get("input"));
        String previous = previousResponseId(body);
        String session = previous == null ? "resp-" + UUID.randomUUID() : sessionOf(previous, desk);
        String runId = client.startRun(desk.name(), desk.entry().name(), input, session).id();
        res.header(OpenAiEndpoint.SESSION, session);
        res.header(OpenAiEndpoint.RUN, runId);
        if (!body.path("stream").asBoolean(false)) {
            Answer answer = openAi.await(runId);
            OpenAiEndpoint.send(res, Status.OK_200, response(answer.run(), answer, previous));
            return;
        }
        stream(res, runId, desk.name(), previous);
    }

    private void retrieve(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        RunRecord run = run(id).orElseThrow(() -> new OpenAiError(404, "invalid_request_error", null, "response_not_found",
                "There is no response with id '" + id + "'"));
        Answer answer = switch (run.status()) {
            case COMPLETED, PAUSED -> openAi.await(run.id());
            default -> null;
        };
        OpenAiEndpoint.send(res, Status.OK_200, response(run, answer, null));
    }

    /** The Responses API's stream: created, the message's item and text part, one delta, then completed (or an error). */
    private void stream(ServerResponse res, String runId, String model, @Nullable String previous) {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        Events events = new Events();
        try (OutputStream out = res.outputStream()) {
            RunRecord started = client.attach(runId).record();
            events.send(out, "response.created", JSON.createObjectNode().set("response", response(started, null, previous)));
            events.send(out, "response.in_progress", JSON.createObjectNode().set("response", response(started, null, previous)));
            Answer answer;
            try {
                answer = openAi.await(runId);
            } catch (OpenAiError e) {
                ObjectNode error = (ObjectNode) e.body().get("error");
                events.send(out, "error", JSON.createObjectNode().put("code", error.path("code").asText(null))
                        .put("message", error.path("message").asText()).put("param", error.path("param").asText(null)));
                return;
            }
            String itemId = "msg_" + runId;
            ObjectNode item = JSON.createObjectNode().put("type", "message").put("id", itemId).put("status", "in_progress")
                    .put("role", "assistant");
            item.putArray("content");
            events.send(out, "response.output_item.added", JSON.createObjectNode().put("output_index", 0).set("item", item));
            events.send(out, "response.content_part.added", part(itemId).set("part", text("")));
            events.send(out, "response.output_text.delta", part(itemId).put("delta", answer.text()).set("logprobs", JSON.createArrayNode()));
            events.send(out, "response.output_text.done", part(itemId).put("text", answer.text()).set("logprobs", JSON.createArrayNode()));
            events.send(out, "response.content_part.done", part(itemId).set("part", text(answer.text())));
            events.send(out, "response.output_item.done", JSON.createObjectNode().put("output_index", 0).set("item", message(runId, answer.text())));
            events.send(out, "response.completed", JSON.createObjectNode().set("response", response(answer.run(), answer, previous)));
        } catch (IOException e) {
            log.debug("The response stream of run {} ended early: the client went away", runId, e);
        }
    }

    /** Numbers the events of one stream. */
    private static final class Events {
        private long seq;

        void send(OutputStream out, String type, ObjectNode data) throws IOException {
            ObjectNode event = JSON.createObjectNode().put("type", type).put("sequence_number", seq++);
            event.setAll(data);
            out.write(("event: " + type + "\ndata: " + JSON.writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    private static ObjectNode part(String itemId) {
        return JSON.createObjectNode().put("item_id", itemId).put("output_index", 0).put("content_index", 0);
    }

    private static ObjectNode text(String text) {
        ObjectNode part = JSON.createObjectNode().put("type", "output_text").put("text", text);
        part.putArray("annotations");
        return part;
    }

    private static ObjectNode message(String runId, String text) {
        ObjectNode item = JSON.createObjectNode().put("type", "message").put("id", "msg_" + runId).put("status", "completed")
                .put("role", "assistant");
        item.putArray("content").add(text(text));
        return item;
    }

    /** The response object of a run: in progress, or with the answer once the run answered (or paused). */
    private static ObjectNode response(RunRecord run, @Nullable Answer answer, @Nullable String previous) {
        ObjectNode r = JSON.createObjectNode()
                .put("id", PREFIX + run.id())
                .put("object", "response")
                .put("created_at", run.createdAt().getEpochSecond())
                .put("status", answer != null ? "completed" : run.status() == RunStatus.FAILED || run.status() == RunStatus.CANCELLED
                        ? "failed" : "in_progress")
                .put("model", run.application())
                .put("previous_response_id", previous)
                .put("parallel_tool_calls", true)
                .put("tool_choice", "auto")
                .putNull("temperature")
                .putNull("top_p")
                .putNull("instructions")
                .putNull("incomplete_details");
        r.putArray("tools");
        r.putObject("metadata");
        ArrayNode output = r.putArray("output");
        if (answer != null) {
            output.add(message(run.id(), answer.text()));
            r.put("completed_at", answer.run().updatedAt().getEpochSecond());
        }
        if (run.status() == RunStatus.FAILED || run.status() == RunStatus.CANCELLED) {
            r.putObject("error").put("code", "server_error").put("message", "Run " + run.id() + " "
                    + run.status().name().toLowerCase(Locale.ROOT) + (run.error() == null ? "" : ": " + run.error()));
        } else {
            r.putNull("error");
        }
        r.set("usage", usage((answer != null ? answer.run() : run).usage()));
        r.set("baton", OpenAiEndpoint.baton(answer != null ? answer : new Answer(run, ""), run.sessionId() == null ? "" : run.sessionId()));
        return r;
    }

    private static ObjectNode usage(Usage u) {
        ObjectNode n = JSON.createObjectNode().put("input_tokens", u.inputTokens()).put("output_tokens", u.outputTokens())
                .put("total_tokens", u.totalTokens());
        n.putObject("input_tokens_details").put("cached_tokens", u.cachedInputTokens());
        n.putObject("output_tokens_details").put("reasoning_tokens", u.reasoningTokens());
        return n;
    }

    // ---- reading the request

    private static @Nullable String previousResponseId(JsonNode body) {
        JsonNode previous = body.get("previous_response_id");
        if (previous == null || previous.isNull()) {
            return null;
        }
        if (!previous.isTextual() || previous.asText().isBlank()) {
            throw OpenAiError.invalid("previous_response_id", "'previous_response_id' must be the id of a response of this server");
        }
        return previous.asText();
    }

    /** The session the previous response's run was on, which the new run continues. */
    private String sessionOf(String previous, Desks.Desk desk) {
        RunRecord run = run(previous).orElseThrow(() -> OpenAiError.invalid("previous_response_id",
                "There is no response with id '" + previous + "'"));
        if (!run.application().equals(desk.name())) {
            throw OpenAiError.invalid("previous_response_id", "Response '" + previous + "' is of model '" + run.application()
                    + "', not '" + desk.name() + "': a conversation stays with one desk");
        }
        if (run.sessionId() == null) {
            throw OpenAiError.invalid("previous_response_id", "Response '" + previous + "' was not given on a session, so it cannot be continued");
        }
        return run.sessionId();
    }

    private Optional<RunRecord> run(String responseId) {
        if (!responseId.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return client.store().findRun(responseId.substring(PREFIX.length()));
    }

    /** The new input: a string is one user message; an array holds messages with text content. */
    private static List<Item> input(@Nullable JsonNode input) {
        if (input == null || input.isNull() || (input.isTextual() && input.asText().isBlank()) || (input.isArray() && input.isEmpty())) {
            throw OpenAiError.invalid("input", "'input' is required: the user's message as a string, or an array of messages");
        }
        if (input.isTextual()) {
            return List.of(Message.user(input.asText()));
        }
        if (!input.isArray()) {
            throw OpenAiError.invalid("input", "'input' is a string or an array of messages");
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            JsonNode m = input.get(i);
            String param = "input[" + i + "]";
            String type = m.path("type").asText("message");
            if (!m.isObject() || !type.equals("message")) {
                throw OpenAiError.invalid(param, "A desk runs its own tools: only messages are accepted as input, got " + m);
            }
            Message.Role role = switch (m.path("role").asText("")) {
                case "user" -> Message.Role.USER;
                case "assistant" -> Message.Role.ASSISTANT;
                case "system", "developer" -> null;
                default -> throw OpenAiError.invalid(param + ".role", "A message's role is 'user', 'assistant', 'system' or 'developer', got "
                        + m.path("role"));
            };
            if (role != null) { // a desk keeps its own instructions
                items.add(new Message(role, content(m.get("content"), param + ".content")));
            }
        }
        if (items.stream().noneMatch(it -> it instanceof Message msg && msg.role() == Message.Role.USER)) {
            throw OpenAiError.invalid("input", "'input' has no user message");
        }
        return items;
    }

    private static String content(@Nullable JsonNode content, String param) {
        if (content != null && content.isTextual()) {
            return content.asText();
        }
        if (content != null && content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                String type = part.path("type").asText();
                if (!(type.equals("input_text") || type.equals("output_text")) || !part.path("text").isTextual()) {
                    throw OpenAiError.invalid(param, "Only text content parts are accepted, got " + part);
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw OpenAiError.invalid(param, "A message's content is a string or an array of text parts");
    }
}
