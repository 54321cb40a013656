package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.human.HumanQueue;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Conversations escalated to a person: the questions the desks' human agents wait on, and
 * answering one (a message, a handoff, or both), after which the waiting run continues.
 */
final class HumansApi {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Api api;
    private final Humans humans;

    HumansApi(Api api, Humans humans) {
        this.api = api;
        this.humans = humans;
    }

    void routes(HttpRouting.Builder r) {
        Api.route(r, "/api/humans", Method.GET, this::waiting);
        Api.route(r, "/api/humans/{id}/reply", Method.POST, this::reply);
    }

    private void waiting(ServerRequest req, ServerResponse res) {
        ObjectNode body = JSON.objectNode();
        ArrayNode list = body.putArray("questions");
        humans.waiting().forEach(q -> list.add(Humans.json(q)));
        Api.send(res, Status.OK_200, body);
    }

    private void reply(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        JsonNode body = api.jsonBody(req);
        JsonNode text = body.get("text");
        if (text != null && !text.isNull() && !text.isTextual()) {
            throw ApiError.badRequest("'text' must be a string");
        }
        String handoff = Api.text(body, "handoff", false);
        HumanQueue.Question answered = humans.answer(id, text == null || text.isNull() ? null : text.asText(), handoff);
        ObjectNode n = JSON.objectNode();
        n.put("id", answered.id());
        n.put("agent", answered.request().agent());
        n.put("runId", answered.request().runId());
        n.put("session", answered.request().sessionId());
        n.put("status", "answered");
        Api.send(res, Status.OK_200, n);
    }
}
