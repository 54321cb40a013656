package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.UserError;
import dev.baton.durable.Approval;
import dev.baton.durable.Decision;
import dev.baton.durable.DurableClient;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.item.Item;
import dev.baton.item.Message;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Tool calls that wait for a human: the pending ones across runs, a run's own, and deciding one
 * (approve or reject), after which the run continues on this server's worker.
 */
final class ApprovalsApi {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final Api api;
    private final DurableClient client;
    private final RuntimeDecisions runtimeDesks;

    ApprovalsApi(Api api, DurableClient client, RuntimeDecisions runtimeDesks) {
        this.api = api;
        this.client = client;
        this.runtimeDesks = runtimeDesks;
    }

    void routes(HttpRouting.Builder r) {
        Api.route(r, "/api/approvals", Method.GET, this::pending);
        Api.route(r, "/api/runs/{id}/approvals", Method.GET, this::ofRun);
        Api.route(r, "/api/runs/{id}/approvals/{callId}", Method.POST, this::decide);
    }

    private void pending(ServerRequest req, ServerResponse res) {
        int limit = Api.intParam(req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        Map<String, Optional<RunRecord>> runs = new HashMap<>();
        ObjectNode body = JSON.objectNode();
        ArrayNode list = body.putArray("approvals");
        for (Approval a : client.pendingApprovals(limit)) {
            runs.computeIfAbsent(a.runId(), id -> client.store().findRun(id))
                    .ifPresent(run -> list.add(approval(a, run, api)));
        }
        Api.send(res, Status.OK_200, body);
    }

    private void ofRun(ServerRequest req, ServerResponse res) {
        RunRecord run = api.find(req.path().pathParameters().get("id"));
        ObjectNode body = JSON.objectNode();
        body.put("runId", run.id());
        ArrayNode list = body.putArray("approvals");
        client.store().approvals(run.id()).forEach(a -> list.add(approval(a, run, api)));
        Api.send(res, Status.OK_200, body);
    }

    /**
     * Approves or rejects one pending call; with {@code "always": true} the decision stands for
     * the tool's later calls in the run too, which then ask no one; {@code "by"} names who decided.
     */
    private void decide(ServerRequest req, ServerResponse res) {
        RunRecord run = api.find(req.path().pathParameters().get("id"));
        String callId = req.path().pathParameters().get("callId");
        JsonNode body = api.jsonBody(req);
        String decision = Api.text(body, "decision", true);
        if (!decision.equals("approve") && !decision.equals("reject")) {
            throw ApiError.badRequest("'decision' must be \"approve\" or \"reject\", got '" + decision + "'");
        }
        String message = Api.text(body, "message", false);
        JsonNode always = body.get("always");
        if (always != null && !always.isNull() && !always.isBoolean()) {
            throw ApiError.badRequest("'always' must be true or false");
        }
        boolean forLaterCalls = always != null && always.asBoolean();
        String by = Api.text(body, "by", false);
        Approval decided = decide(client, runtimeDesks, run, callId, new Decision(decision.equals("approve"), forLaterCalls, message, by));
        Api.send(res, Status.OK_200, approval(decided, api.find(run.id()), api));
    }

    /**
     * Decides the pending call {@code callId} of {@code run}, for this API and the approvals page;
     * a turn of a runtime desk is told to the desk's agent that holds it.
     *
     * @throws ApiError 404 if the run has no such call, 409 if it was decided or the run ended
     */
    static Approval decide(DurableClient client, RuntimeDecisions runtimeDesks, RunRecord run, String callId, Decision decision) {
        List<Approval> ofCall = client.store().approvals(run.id()).stream().filter(a -> a.callId().equals(callId)).toList();
        if (ofCall.isEmpty()) {
            throw ApiError.notFound("Run " + run.id() + " has no approval for call '" + callId + "'");
        }
        Optional<Approval> waiting = ofCall.stream().filter(a -> a.status() == Approval.Status.PENDING).findFirst();
        if (waiting.isEmpty()) {
            Approval last = ofCall.get(ofCall.size() - 1);
            throw ApiError.conflict("The call '" + callId + "' of run " + run.id() + " was already "
                    + last.status().name().toLowerCase(Locale.ROOT) + " at " + last.decidedAt());
        }
        if (run.status().isTerminal()) {
            throw ApiError.conflict("Run " + run.id() + " has already ended (" + run.status().name().toLowerCase(Locale.ROOT)
                    + "); its calls can no longer be decided");
        }
        try {
            RunHandle handle = client.attach(run.id());
            Approval decided = handle.decide(callId, decision);
            runtimeDesks.decided(run, callId, decision);
            return decided;
        } catch (UserError e) {
            // Decided or ended between the checks above and the store's decision.
            throw ApiError.conflict(e.getMessage());
        }
    }

    /** An approval with its run's desk, and the run's input and current agent as context for the reviewer. */
    static ObjectNode approval(Approval a, RunRecord run, Api api) {
        ObjectNode n = JSON.objectNode();
        n.put("runId", a.runId());
        n.put("callId", a.callId());
        n.put("desk", run.application());
        n.put("agent", a.agent());
        n.put("tool", a.tool());
        n.set("arguments", Api.parse(api.privacy().arguments(a.arguments())));
        n.put("explanation", explanation(api.desks(), run.application(), a.agent(), a.tool()));
        n.put("status", a.status().name().toLowerCase(Locale.ROOT));
        n.put("message", a.message());
        n.put("requestedAt", a.requestedAt().toString());
        n.put("decidedAt", a.decidedAt() == null ? null : a.decidedAt().toString());
        n.put("always", a.always());
        n.put("decidedBy", a.decidedBy());
        ObjectNode context = n.putObject("context");
        context.put("input", inputText(run.input()));
        context.put("currentAgent", run.currentAgent());
        context.put("runStatus", run.status().name().toLowerCase(Locale.ROOT));
        context.put("session", run.sessionId());
        return n;
    }

    /**
     * What the desk says the tool does (its description, which the model reads too), so the reviewer
     * knows what approving means; null when this server does not serve the desk or the tool.
     */
    static @Nullable String explanation(Desks desks, String desk, String agent, String tool) {
        return desks.find(desk)
                .map(d -> d.agents().get(agent))
                .flatMap(ag -> ag.tools().stream().filter(t -> t.name().equals(tool)).findFirst())
                .map(t -> t.description())
                .orElse(null);
    }

    /** The text of the run's input messages, one per line. */
    static String inputText(List<Item> input) {
        return input.stream().filter(Message.class::isInstance).map(i -> ((Message) i).text()).collect(Collectors.joining("\n"));
    }
}
