package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.durable.DurableClient;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.internal.JournalCodec;
import dev.baton.item.Item;
import dev.baton.session.SessionStore;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sessions: the conversations runs read and extend. A {@link SessionStore} cannot list its
 * sessions, so the list is of the sessions seen in the latest runs; one session shows its items
 * and the agent holding it from the runner's session store, and a message starts a run on it.
 */
final class SessionsApi {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** How many of the latest runs the session list looks at. */
    static final int RUN_WINDOW = 1000;
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;

    private final Api api;
    private final Desks desks;
    private final DurableClient client;
    private final SessionStore sessions;

    SessionsApi(Api api, Desks desks, DurableClient client, SessionStore sessions) {
        this.api = api;
        this.desks = desks;
        this.client = client;
        this.sessions = sessions;
    }

    void routes(HttpRouting.Builder r) {
        Api.route(r, "/api/sessions", Method.GET, this::list);
        Api.route(r, "/api/sessions/{id}", Method.GET, this::get);
        Api.route(r, "/api/sessions/{id}/messages", Method.POST, this::message);
    }

    /** Sessions of the latest runs, the most recently used first, each with its last run. */
    private void list(ServerRequest req, ServerResponse res) {
        int limit = Api.intParam(req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        Map<String, ObjectNode> seen = new LinkedHashMap<>();
        for (RunRecord run : client.store().listRuns(RunQuery.all().withApplication(Api.param(req, "desk")).withLimit(RUN_WINDOW))) {
            if (run.sessionId() == null) {
                continue;
            }
            ObjectNode s = seen.get(run.sessionId());
            if (s == null) {
                if (seen.size() == limit) {
                    continue;
                }
                s = JSON.objectNode();
                s.put("id", run.sessionId());
                s.put("lastRunId", run.id());
                s.put("lastDesk", run.application());
                s.put("lastAgent", run.currentAgent());
                s.put("lastRunAt", run.createdAt().toString());
                s.put("runs", 0);
                seen.put(run.sessionId(), s);
            }
            s.put("runs", s.get("runs").asInt() + 1);
        }
        ObjectNode body = JSON.objectNode();
        ArrayNode list = body.putArray("sessions");
        seen.values().forEach(list::add);
        body.put("runWindow", RUN_WINDOW);
        Api.send(res, Status.OK_200, body);
    }

    private void get(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        List<Item> items = sessions.items(id, 0);
        Optional<String> agent = sessions.activeAgent(id);
        List<RunRecord> runs = client.store().listRuns(RunQuery.all().withSession(id).withLimit(DEFAULT_LIMIT));
        if (items.isEmpty() && agent.isEmpty() && runs.isEmpty()) {
            throw ApiError.notFound("No session with id '" + id + "'");
        }
        ObjectNode body = JSON.objectNode();
        body.put("id", id);
        body.put("activeAgent", agent.orElse(null));
        body.set("items", Api.parse(JournalCodec.items(items)));
        ArrayNode list = body.putArray("runs");
        runs.forEach(r -> list.add(Api.run(r, null)));
        Api.send(res, Status.OK_200, body);
    }

    /** Starts a run of a desk on the session with the message as its input: 201 and the run. */
    private void message(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        JsonNode body = api.jsonBody(req);
        String deskName = Api.text(body, "desk", true);
        String input = Api.text(body, "input", true);
        Desks.Desk desk = desks.find(deskName).orElseThrow(() -> ApiError.notFound("No desk named '" + deskName + "'"));
        String runId = client.startRun(desk.name(), desk.entry().name(), input, id).id();
        res.header(HeaderNames.LOCATION, "/api/runs/" + runId);
        Api.send(res, Status.CREATED_201, Api.run(api.find(runId), null));
    }
}
