package dev.baton.server;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import dev.baton.session.SessionStore;
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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI-compatible endpoint under {@code /v1}: each desk is a model, and a chat completion is a
 * run of the desk on a Baton session, so OpenAI clients and chat front-ends talk to desks unchanged.
 * Errors take OpenAI's shape, {@code {"error": {"message", "type", "param", "code"}}}.
 */
final class OpenAiEndpoint {
    private static final Logger log = LoggerFactory.getLogger(OpenAiEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final HeaderName SESSION = HeaderNames.create("X-Baton-Session");
    static final HeaderName RUN = HeaderNames.create("X-Baton-Run");
    private static final int MAX_SESSION_ID = 200;
    private static final int REMEMBERED_CONVERSATIONS = 10_000;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);

    private final Desks desks;
    private final DurableClient client;
    private final SessionStore sessions;
    private final int maxBodyBytes;
    private final long created = Instant.now().getEpochSecond();
    /** Conversation fingerprints (the messages up to the last reply) to the session that holds them. */
    private final Map<String, String> conversations = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_CONVERSATIONS;
        }
    };

    /** A refused request, with the status and OpenAI's error type, parameter and code. */
    static final class OpenAiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String type;
        private final @Nullable String param;
        private final @Nullable String code;

        OpenAiError(int status, String type, @Nullable String param, @Nullable String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.type = type;
            this.param = param;
            this.code = code;
        }

        static OpenAiError invalid(@Nullable String param, String message) {
            return new OpenAiError(400, "invalid_request_error", param, null, message);
        }

        /** The error in OpenAI's shape, for a stream whose status line is already sent. */
        ObjectNode body() {
            return error(type, param, code, getMessage());
        }
    }

    /** One message of the conversation a client sent, as far as a desk reads it: who wrote it and its text. */
    record ChatMessage(Message.Role role, String text) {}

    OpenAiEndpoint(Desks desks, DurableClient client, SessionStore sessions, int maxBodyBytes) {
        this.desks = desks;
        this.client = client;
        this.sessions = sessions;
        this.maxBodyBytes = maxBodyBytes;
    }

    void routes(HttpRouting.Builder r) {
        route(r, "/v1/models", Method.GET, this::listModels);
        route(r, "/v1/models/{model}", Method.GET, this::getModel);
        route(r, "/v1/chat/completions", Method.POST, this::chatCompletion);
        new ResponsesEndpoint(this, client).routes(r);
        r.any("/v1/*", guarded((req, res) -> {
            throw new OpenAiError(404, "invalid_request_error", null, "unknown_url",
                    "No such endpoint: " + req.prologue().method().text() + " " + req.path().path());
        }));
    }

    static void route(HttpRouting.Builder r, String path, Method method, Handler handler) {
        r.route(method, path, guarded(handler));
        r.any(path, guarded((req, res) -> {
            res.header(HeaderNames.ALLOW, method.text());
            throw new OpenAiError(405, "invalid_request_error", null, "method_not_allowed",
                    req.prologue().method().text() + " is not allowed on " + req.path().path() + "; use " + method.text());
        }));
    }

    /** The handler, with its failures answered in OpenAI's error shape rather than the /api one. */
    private static Handler guarded(Handler handler) {
        return (req, res) -> {
            try {
                handler.handle(req, res);
            } catch (OpenAiError e) {
                sendError(res, e.status, e.type, e.param, e.code, e.getMessage());
            } catch (RuntimeException e) {
                log.warn("Request {} {} failed", req.prologue().method().text(), req.path().path(), e);
                sendError(res, 500, "server_error", null, null, "The server failed to answer: " + e.getMessage());
            }
        };
    }

    // ---- models

    private void listModels(ServerRequest req, ServerResponse res) {
        ObjectNode body = JSON.createObjectNode().put("object", "list");
        ArrayNode data = body.putArray("data");
        desks.byName().keySet().stream().sorted().forEach(name -> data.add(model(name)));
        send(res, Status.OK_200, body);
    }

    private void getModel(ServerRequest req, ServerResponse res) {
        send(res, Status.OK_200, model(desk(req.path().pathParameters().get("model"), null).name()));
    }

    private ObjectNode model(String desk) {
        return JSON.createObjectNode().put("id", desk).put("object", "model").put("created", created).put("owned_by", "baton");
    }

    // ---- chat completions

    private void chatCompletion(ServerRequest req, ServerResponse res) {
        JsonNode body = jsonBody(req);
        JsonNode modelField = body.get("model");
        if (modelField == null || !modelField.isTextual() || modelField.asText().isBlank()) {
            throw OpenAiError.invalid("model", "'model' is required: the name of a desk (see GET /v1/models)");
        }
        Desks.Desk desk = desk(modelField.asText(), "model");
        List<ChatMessage> conversation = messages(body);
        boolean stream = body.path("stream").asBoolean(false);
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);

        String session = sessionId(req, body).orElseGet(() -> recognised(desk.name(), conversation));
        List<Item> input = newInput(session, conversation);
        String runId = client.startRun(desk.name(), desk.entry().name(), input, session).id();
        res.header(SESSION, session);
        res.header(RUN, runId);
        String id = "chatcmpl-" + runId;
        long now = Instant.now().getEpochSecond();

        if (!stream) {
            Answer answer = await(runId);
            remember(desk.name(), conversation, answer.text(), session);
            ObjectNode completion = JSON.createObjectNode()
                    .put("id", id).put("object", "chat.completion").put("created", now).put("model", desk.name());
            ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
            choice.putObject("message").put("role", "assistant").put("content", answer.text()).putNull("refusal");
            choice.put("finish_reason", "stop").putNull("logprobs");
            completion.set("usage", usage(answer.run().usage()));
            completion.set("baton", baton(answer, session));
            send(res, Status.OK_200, completion);
            return;
        }

        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        try (OutputStream out = res.outputStream()) {
            ObjectNode first = chunk(id, now, desk.name());
            ((ObjectNode) first.get("choices").get(0).get("delta")).put("role", "assistant").put("content", "");
            data(out, first);
            Answer answer;
            try {
                answer = await(runId);
            } catch (OpenAiError e) {
                // The status line is sent already: the error goes in the stream, as OpenAI's does.
                data(out, error(e.type, e.param, e.code, e.getMessage()));
                return;
            }
            remember(desk.name(), conversation, answer.text(), session);
            ObjectNode content = chunk(id, now, desk.name());
            ((ObjectNode) content.get("choices").get(0).get("delta")).put("content", answer.text());
            data(out, content);
            ObjectNode last = chunk(id, now, desk.name());
            ((ObjectNode) last.get("choices").get(0)).put("finish_reason", "stop");
            last.set("baton", baton(answer, session));
            data(out, last);
            if (includeUsage) {
                ObjectNode usage = chunk(id, now, desk.name());
                usage.putArray("choices");
                usage.set("usage", usage(answer.run().usage()));
                data(out, usage);
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            log.debug("The completion stream of run {} ended early: the client went away", runId, e);
        }
    }

    /** What a run answered: the run as it ended or paused, and the text of the reply. */
    record Answer(RunRecord run, String text) {}

    Answer await(String runId) {
        RunRecord run = client.attach(runId).await(RUN_TIMEOUT).orElseThrow(() -> new OpenAiError(504, "timeout", null, null,
                "Run " + runId + " did not answer within " + RUN_TIMEOUT.toMinutes() + " minutes; it goes on, see /api/runs/" + runId));
        if (run.status() == RunStatus.PAUSED) {
            return new Answer(run, "This conversation is waiting for a person: run " + run.id()
                    + " needs an approval before it can go on. Ask again once it is decided.");
        }
        if (run.status() != RunStatus.COMPLETED) {
            throw new OpenAiError(500, "server_error", null, "run_" + run.status().name().toLowerCase(Locale.ROOT),
                    "Run " + run.id() + " of desk '" + run.application() + "' " + run.status().name().toLowerCase(Locale.ROOT)
                            + (run.error() == null ? "" : ": " + run.error()));
        }
        return new Answer(run, text(run.finalOutput()));
    }

    /** The final output as the reply's text: a plain-text agent's string, any other output as its JSON. */
    static String text(@Nullable String finalOutput) {
        if (finalOutput == null) {
            return "";
        }
        try {
            JsonNode node = JSON.readTree(finalOutput);
            return node != null && node.isTextual() ? node.asText() : finalOutput;
        } catch (JsonProcessingException e) {
            return finalOutput;
        }
    }

    static ObjectNode baton(Answer answer, String session) {
        return JSON.createObjectNode()
                .put("run", answer.run().id())
                .put("session", session)
                .put("agent", answer.run().currentAgent())
                .put("status", answer.run().status().name().toLowerCase(Locale.ROOT));
    }

    private static ObjectNode usage(Usage u) {
        return JSON.createObjectNode()
                .put("prompt_tokens", u.inputTokens())
                .put("completion_tokens", u.outputTokens())
                .put("total_tokens", u.totalTokens());
    }

    private static ObjectNode chunk(String id, long created, String model) {
        ObjectNode chunk = JSON.createObjectNode()
                .put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta");
        choice.putNull("finish_reason").putNull("logprobs");
        return chunk;
    }

    private static void data(OutputStream out, JsonNode chunk) throws IOException {
        out.write(("data: " + JSON.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    // ---- sessions

    /** The session the client names: header {@code X-Baton-Session}, else the body's {@code user}. */
    private static Optional<String> sessionId(ServerRequest req, JsonNode body) {
        Optional<String> header = req.headers().first(SESSION).filter(s -> !s.isBlank());
        if (header.isPresent()) {
            return Optional.of(checkSession(header.get().trim(), null));
        }
        JsonNode user = body.get("user");
        if (user == null || user.isNull()) {
            return Optional.empty();
        }
        if (!user.isTextual() || user.asText().isBlank()) {
            throw OpenAiError.invalid("user", "'user' must be a non-blank string: the Baton session of the conversation");
        }
        return Optional.of(checkSession(user.asText().trim(), "user"));
    }

    private static String checkSession(String id, @Nullable String param) {
        if (id.length() > MAX_SESSION_ID) {
            throw OpenAiError.invalid(param, "A session id is at most " + MAX_SESSION_ID + " characters, got " + id.length());
        }
        return id;
    }

    /**
     * The session of a conversation the client names no session for: the one this server answered
     * the same messages in (up to their last assistant message), or a new one.
     */
    private String recognised(String desk, List<ChatMessage> conversation) {
        int lastReply = -1;
        for (int i = 0; i < conversation.size(); i++) {
            if (conversation.get(i).role() == Message.Role.ASSISTANT) {
                lastReply = i;
            }
        }
        if (lastReply >= 0) {
            String known;
            synchronized (conversations) {
                known = conversations.get(fingerprint(desk, conversation.subList(0, lastReply + 1)));
            }
            if (known != null) {
                return known;
            }
        }
        return "chat-" + UUID.randomUUID();
    }

    private void remember(String desk, List<ChatMessage> conversation, String reply, String session) {
        List<ChatMessage> answered = new ArrayList<>(conversation);
        answered.add(new ChatMessage(Message.Role.ASSISTANT, reply));
        String key = fingerprint(desk, answered);
        synchronized (conversations) {
            conversations.put(key, session);
        }
    }

    /** SHA-256 of the desk and the user and assistant messages, each role and text. */
    static String fingerprint(String desk, List<ChatMessage> messages) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(desk.getBytes(StandardCharsets.UTF_8));
            for (ChatMessage m : messages) {
                if (m.role() == Message.Role.USER || m.role() == Message.Role.ASSISTANT) {
                    sha.update((byte) 0);
                    sha.update(m.role().name().getBytes(StandardCharsets.UTF_8));
                    sha.update((byte) 0);
                    sha.update(m.text().getBytes(StandardCharsets.UTF_8));
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This Java has no SHA-256", e);
        }
    }

    /**
     * What the run gets as input: the user messages after those the session already holds; for a
     * session that holds nothing yet, the whole conversation (user and assistant messages), so a
     * conversation begun elsewhere keeps its history.
     */
    private List<Item> newInput(String session, List<ChatMessage> conversation) {
        long held = sessions.items(session, 0).stream()
                .filter(i -> i instanceof Message m && m.role() == Message.Role.USER && m.summary() == null)
                .count();
        List<Item> input = new ArrayList<>();
        if (held == 0) {
            conversation.stream()
                    .filter(m -> m.role() == Message.Role.USER || m.role() == Message.Role.ASSISTANT)
                    .forEach(m -> input.add(new Message(m.role(), m.text())));
        } else {
            long users = 0;
            for (ChatMessage m : conversation) {
                if (m.role() == Message.Role.USER && ++users > held) {
                    input.add(Message.user(m.text()));
                }
            }
        }
        if (input.stream().noneMatch(i -> i instanceof Message m && m.role() == Message.Role.USER)) {
            throw OpenAiError.invalid("messages", "The conversation has no new user message after the " + held
                    + " that session '" + session + "' already holds");
        }
        return input;
    }

    // ---- reading requests

    Desks.Desk desk(String name, @Nullable String param) {
        return desks.find(name).orElseThrow(() -> new OpenAiError(404, "invalid_request_error", param, "model_not_found",
                "The model '" + name + "' does not exist: the models are this server's desks, see GET /v1/models"));
    }

    /** The messages of the request: system and developer messages are read but a desk keeps its own instructions. */
    private static List<ChatMessage> messages(JsonNode body) {
        JsonNode list = body.get("messages");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw OpenAiError.invalid("messages", "'messages' is required: a non-empty array of {role, content}");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode m = list.get(i);
            String param = "messages[" + i + "]";
            if (!m.isObject()) {
                throw OpenAiError.invalid(param, "Each message must be an object with a role and content");
            }
            Message.Role role = switch (m.path("role").asText("")) {
                case "user" -> Message.Role.USER;
                case "assistant" -> Message.Role.ASSISTANT;
                case "system" -> Message.Role.SYSTEM;
                case "developer" -> Message.Role.DEVELOPER;
                case "tool", "function" -> throw OpenAiError.invalid(param + ".role",
                        "A desk runs its own tools: messages with role '" + m.path("role").asText() + "' are not accepted");
                default -> throw OpenAiError.invalid(param + ".role",
                        "A message's role is 'system', 'developer', 'user' or 'assistant', got " + m.path("role"));
            };
            messages.add(new ChatMessage(role, content(m.get("content"), param + ".content")));
        }
        return messages;
    }

    /** A message's content: a string, or an array of parts whose text parts are joined. */
    private static String content(@Nullable JsonNode content, String param) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw OpenAiError.invalid(param, "Only text content parts are accepted, got " + part);
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw OpenAiError.invalid(param, "A message's content is a string or an array of text parts");
    }

    JsonNode jsonBody(ServerRequest req) {
        byte[] bytes = Bodies.read(req, maxBodyBytes);
        if (bytes == null) {
            throw new OpenAiError(413, "invalid_request_error", null, "payload_too_large",
                    "The body is larger than " + maxBodyBytes + " bytes");
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw OpenAiError.invalid(null, "The body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw OpenAiError.invalid(null, "The body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- answers

    static void send(ServerResponse res, Status status, JsonNode body) {
        Api.send(res, status, body);
    }

    private static void sendError(ServerResponse res, int status, String type, @Nullable String param, @Nullable String code,
            String message) {
        send(res, Status.create(status), error(type, param, code, message));
    }

    static ObjectNode error(String type, @Nullable String param, @Nullable String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("message", message).put("type", type).put("param", param).put("code", code);
        return body;
    }
}
