package dev.baton.cli;

import dev.baton.agent.Agent;
import dev.baton.cli.desk.Desk;
import dev.baton.internal.AgentAccess;
import dev.baton.durable.Approval;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.mcp.McpDeskServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code baton mcp --desk support}: a desk as an MCP server over stdio, for MCP clients (an IDE, an
 * agent of another framework, the MCP Inspector) that start it as a command. Its one tool,
 * {@code send_message}, runs a turn of the desk as the {@code run} command does (a durable run, in
 * the database the other commands use) and returns the answer, the agent and the calls waiting for
 * approval. Standard output carries the protocol only; nothing else is printed there.
 */
@Command(name = "mcp", mixinStandardHelpOptions = true,
        description = {"Serve a desk to MCP clients over stdio until the client closes it.",
                "Its tool send_message takes a message (and a session to continue)",
                "and returns the answer, the agent that gave it and the calls",
                "waiting for approval (decide them with: baton approvals)."})
final class McpCommand implements Callable<Integer> {

    @ParentCommand
    BatonCli root;

    @Option(names = "--desk", paramLabel = "DESK", defaultValue = "support", description = "support, acme or rma (default ${DEFAULT-VALUE})")
    String desk;

    @Option(names = "--tools", description = {"Also serve the desk's own tools that need no approval (lookups such as get_invoice),",
            "each called directly; the others are reached through send_message."})
    boolean tools;

    @Override
    public Integer call() {
        Workbench.checkDesk(desk);
        // Nobody is at a console to answer as the acme desk's human agent: such a turn gets the human agent's no-answer outcome.
        try (Workbench wb = Workbench.open(root.settings(), request -> Optional.empty())) {
            Desk<?> d = wb.desk(desk);
            McpDeskServer.Builder builder = McpDeskServer.builder("baton-" + desk, (session, message) -> turn(wb, d, session, message));
            if (tools) {
                serveTools(builder, d);
            }
            try (McpDeskServer server = builder.build()) {
                server.serve(System.in, System.out).awaitClosed();
            }
        }
        return 0;
    }

    private McpDeskServer.Reply turn(Workbench wb, Desk<?> d, @Nullable String session, String message) {
        try {
            Workbench.checkSessionId(session);
        } catch (CliError e) {
            throw new McpDeskServer.Refused(e.getMessage());
        }
        if (session != null && Workbench.deskOfSession(session).filter(other -> !other.equals(desk)).isPresent()) {
            throw new McpDeskServer.Refused("session " + session + " belongs to the " + Workbench.deskOfSession(session).get()
                    + " desk, not " + desk);
        }
        String id = session != null ? session : Workbench.newSessionId(desk);
        if (session != null && wb.sessionExists(session)) {
            refuseIfWaiting(wb, session);
        }
        RunHandle run = wb.start(d, id, message);
        RunRecord done = Turns.drive(wb, run, Turns.Approver.none());
        if (done.status() == RunStatus.FAILED || done.status() == RunStatus.CANCELLED) {
            throw new CliError(Turns.failureLine(done, wb.failure(done.id())));
        }
        List<McpDeskServer.PendingCall> waiting = new ArrayList<>();
        if (done.status() == RunStatus.PAUSED) {
            for (Approval a : Turns.pending(run)) {
                waiting.add(new McpDeskServer.PendingCall(run.id(), Turns.approvalId(a), a.agent(), a.tool(), a.arguments()));
            }
        }
        return new McpDeskServer.Reply(id, done.currentAgent(), Text.display(Text.tree(done.finalOutput())), waiting);
    }

    /** The tools of the desk's agents that need no approval and have no guardrails, each once, in the order the agents reach them. */
    private static <C> void serveTools(McpDeskServer.Builder builder, Desk<C> d) {
        java.util.Map<String, dev.baton.tool.Tool<C>> plain = new java.util.LinkedHashMap<>();
        java.util.List<Agent<C>> agents = new ArrayList<>();
        agents.add(d.entry());
        agents.addAll(AgentAccess.reachableAgents(d.entry()).values());
        for (Agent<C> agent : agents) {
            for (dev.baton.tool.Tool<C> t : agent.tools()) {
                if (t.approvalPolicy() == null && t.guardrails().isEmpty()) {
                    plain.putIfAbsent(t.name(), t);
                }
            }
        }
        builder.tools(List.copyOf(plain.values()), d::newContext);
    }

    /** A session whose turn waits for approval takes no new message (the new run would not see the decision). */
    private static void refuseIfWaiting(Workbench wb, String session) {
        List<String> waiting = new ArrayList<>();
        for (Approval a : wb.waitingCalls(session)) {
            waiting.add(a.tool() + " " + a.arguments() + " [" + Turns.approvalId(a) + "]");
        }
        if (!waiting.isEmpty()) {
            throw new McpDeskServer.Refused("session " + session + " waits for approval of " + String.join("; ", waiting)
                    + "; decide first (" + Hint.command() + " approvals), then send the message again");
        }
    }
}
