package dev.baton.server;

import dev.baton.durable.Approval;
import dev.baton.durable.DurableClient;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.item.Message;
import dev.baton.mcp.McpDeskServer;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * {@code /mcp/{desk}}: each desk as an MCP server over Streamable HTTP (stateless), for MCP clients
 * that connect to an address. Its tool {@code send_message} starts a durable run of the desk on the
 * session, as {@code POST /api/desks/{desk}/runs} does, and returns the answer, the agent and the
 * calls waiting for approval (decided on the approvals page or {@code /api/approvals}).
 */
final class McpEndpoint {
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);

    private final Desks desks;
    private final DurableClient client;
    private final int maxBodyBytes;
    private final Map<String, McpDeskServer> servers = new ConcurrentHashMap<>();

    McpEndpoint(Desks desks, DurableClient client, int maxBodyBytes) {
        this.desks = desks;
        this.client = client;
        this.maxBodyBytes = maxBodyBytes;
    }

    void routes(HttpRouting.Builder r) {
        r.route(Method.POST, "/mcp/{desk}", this::handle);
        r.route(Method.GET, "/mcp/{desk}", this::handle);
        r.route(Method.DELETE, "/mcp/{desk}", this::handle);
    }

    private void handle(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("desk");
        Desks.Desk desk = desks.find(name).orElseThrow(() -> ApiError.notFound("No desk named '" + name + "'"));
        McpDeskServer server = servers.computeIfAbsent(desk.name(), n -> McpDeskServer.builder("baton-" + n,
                (session, message) -> turn(desk, session, message)).build());
        byte[] body = req.prologue().method() == Method.POST ? Bodies.read(req, maxBodyBytes) : new byte[0];
        if (body == null) {
            res.status(Status.REQUEST_ENTITY_TOO_LARGE_413).send("The request body is larger than " + maxBodyBytes + " bytes");
            return;
        }
        McpDeskServer.HttpReply reply = server.handleHttp(req.prologue().method().text(), body);
        res.status(Status.create(reply.status()));
        if (reply.contentType() != null) {
            res.header(HeaderNames.CONTENT_TYPE, reply.contentType());
        }
        if (reply.status() == 405) {
            res.header(HeaderNames.ALLOW, "POST");
        }
        res.send(reply.body());
    }

    private McpDeskServer.Reply turn(Desks.Desk desk, @Nullable String session, String message) {
        String id = session != null ? session : desk.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}")) {
            throw new McpDeskServer.Refused("session '" + id + "' is not a session id: letters, digits and _ . : @ -, at most 200");
        }
        List<String> waiting = new ArrayList<>();
        for (RunRecord paused : client.store().listRuns(RunQuery.all().withSession(id).withStatuses(RunStatus.PAUSED).withLimit(20))) {
            client.store().approvals(paused.id()).stream().filter(a -> a.status() == Approval.Status.PENDING)
                    .forEach(a -> waiting.add(a.tool() + " " + a.arguments() + " (run " + paused.id() + ")"));
        }
        if (!waiting.isEmpty()) {
            throw new McpDeskServer.Refused("session " + id + " waits for approval of " + String.join("; ", waiting)
                    + "; decide first (the approvals page, or /api/approvals), then send the message again");
        }
        String runId = client.startRun(desk.name(), desk.entry().name(), List.of(Message.user(message)), id).id();
        RunRecord run = client.attach(runId).await(RUN_TIMEOUT).orElseThrow(() -> new McpDeskServer.Refused(
                "run " + runId + " did not answer within " + RUN_TIMEOUT.toMinutes() + " minutes; it goes on, see /api/runs/" + runId));
        if (run.status() == RunStatus.FAILED || run.status() == RunStatus.CANCELLED) {
            throw new IllegalStateException("run " + runId + " " + run.status().name().toLowerCase(java.util.Locale.ROOT)
                    + (run.error() == null ? "" : ": " + run.error()));
        }
        List<McpDeskServer.PendingCall> pending = new ArrayList<>();
        if (run.status() == RunStatus.PAUSED) {
            for (Approval a : client.store().approvals(runId)) {
                if (a.status() == Approval.Status.PENDING) {
                    pending.add(new McpDeskServer.PendingCall(runId, a.callId(), a.agent(), a.tool(), a.arguments()));
                }
            }
        }
        return new McpDeskServer.Reply(id, run.currentAgent(), OpenAiEndpoint.text(run.finalOutput()), pending);
    }
}
