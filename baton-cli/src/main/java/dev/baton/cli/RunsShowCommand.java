package dev.baton.cli;

import dev.baton.durable.Approval;
import dev.baton.durable.Effect;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunHistory;
import dev.baton.durable.RunRecord;
import dev.baton.item.Message;
import dev.baton.model.Usage;
import dev.baton.run.RunEvent;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code baton runs show ID}: one run with its events, its steps (timings and tokens) and its approvals. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show a run: its events, per-step timings and tokens, approvals.")
final class RunsShowCommand implements Callable<Integer> {
    private static final int MAX = 160;

    @ParentCommand
    RunsCommand parent;

    @Parameters(index = "0", paramLabel = "ID", description = "The run id (see: ./baton runs list).")
    String runId;

    @Override
    public Integer call() {
        BatonCli root = parent.root;
        Terminal t = root.terminal();
        try (Ledger ledger = Ledger.open(root.settings())) {
            RunHistory h = ledger.history(runId);
            RunRecord r = h.run();
            t.println("run " + r.id() + " · " + r.status().name().toLowerCase(Locale.ROOT) + " · desk " + r.application() + " · session "
                    + (r.sessionId() == null ? "-" : r.sessionId()));
            t.println("created " + Tables.time(r.createdAt()) + " · updated " + Tables.time(r.updatedAt()) + " · started with "
                    + r.startAgent() + " · held by " + r.currentAgent());
            Usage u = r.usage();
            t.println("usage: " + u.requests() + " model calls · " + u.inputTokens() + " tokens in · " + u.outputTokens() + " out · "
                    + u.totalTokens() + " total");
            if (r.finalOutput() != null) {
                t.println("output: " + Text.oneLine(Text.display(Text.tree(r.finalOutput())), 2000));
            }
            if (r.error() != null) {
                t.println("error: " + Text.oneLine(r.error(), 2000));
            }
            t.println("");
            t.println("events");
            Tables events = new Tables("SEQ", "TIME", "TYPE", "AGENT", "WHAT");
            for (RecordedEvent e : h.events()) {
                events.row(String.valueOf(e.seq()), Tables.time(e.at()), e.type(), e.agent(), Text.oneLine(summary(e), MAX));
            }
            events.lines().forEach(l -> t.println("  " + l));
            t.println("");
            t.println("steps");
            Tables steps = new Tables("STEP", "KIND", "AGENT", "NAME", "STATUS", "MS", "TOKENS IN", "OUT", "ATTEMPTS");
            for (Effect e : h.effects()) {
                steps.row(e.key(), e.kind().name().toLowerCase(Locale.ROOT), e.agent(), e.name() == null ? "-" : e.name(),
                        e.status().name().toLowerCase(Locale.ROOT), e.durationMillis() < 0 ? "-" : String.valueOf(e.durationMillis()),
                        e.usage() == null ? "-" : String.valueOf(e.usage().inputTokens()),
                        e.usage() == null ? "-" : String.valueOf(e.usage().outputTokens()), String.valueOf(e.attempts()));
            }
            steps.lines().forEach(l -> t.println("  " + l));
            Usage m = h.modelUsage();
            t.println("  " + h.modelCalls().size() + " model calls (" + m.inputTokens() + " tokens in, " + m.outputTokens() + " out), "
                    + h.toolCalls().size() + " tool calls");
            if (!h.approvals().isEmpty()) {
                t.println("");
                t.println("approvals");
                Tables approvals = new Tables("ID", "TOOL", "STATUS", "REQUESTED", "DECIDED", "ARGUMENTS");
                for (Approval a : h.approvals()) {
                    approvals.row(Turns.approvalId(a), a.tool(), a.status().name().toLowerCase(Locale.ROOT), Tables.time(a.requestedAt()),
                            Tables.time(a.decidedAt()), Approvals.arguments(a)
                                    + (a.message() == null ? "" : " · message: " + Text.oneLine(a.message(), 80)));
                }
                approvals.lines().forEach(l -> t.println("  " + l));
            }
            return 0;
        }
    }

    /** What an event says, in a few words; the recorded data itself when this version cannot read the event. */
    static String summary(RecordedEvent recorded) {
        RunEvent event;
        try {
            event = recorded.toEvent();
        } catch (IllegalArgumentException e) {
            return "(not readable by this version of baton) " + recorded.data();
        }
        return summary(event);
    }

    static String summary(RunEvent event) {
        return switch (event) {
            case RunEvent.RunStarted e -> e.input().size() + " input items"
                    + (e.input().isEmpty() || !(e.input().get(e.input().size() - 1) instanceof Message last) ? "" : "; last: " + last.text());
            case RunEvent.AgentUpdated e -> e.previous() == null ? "starts with " + e.agent() : e.previous() + " -> " + e.agent();
            case RunEvent.TurnStarted e -> "turn " + e.turn();
            case RunEvent.ModelResponded e -> "turn " + e.turn() + ": " + e.response().output().size() + " output items, "
                    + e.response().usage().inputTokens() + " tokens in, " + e.response().usage().outputTokens() + " out";
            case RunEvent.TextDelta e -> e.delta();
            case RunEvent.MessageOutput e -> e.item().refusal() == null ? e.item().text()
                    : (e.item().text().isEmpty() ? "" : e.item().text() + " ") + "(declines) " + e.item().refusal();
            case RunEvent.ReasoningOutput e -> e.item().reasoning().summary();
            case RunEvent.ToolCalled e -> e.item().call().name() + " " + e.item().call().arguments();
            case RunEvent.HandoffRequested e -> e.item().call().name() + " " + e.item().call().arguments();
            case RunEvent.ToolFinished e -> (e.item().error() ? "error: " : "") + e.item().output().describe();
            case RunEvent.HandoffIgnored e -> "ignored handoff to " + e.targetAgent();
            case RunEvent.HandoffOccurred e -> e.from() + " -> " + e.to();
            case RunEvent.GuardrailChecked e -> e.result().name() + (e.result().tripwireTriggered() ? " tripped" : " passed")
                    + (e.result().info() == null || value(e.result().info()).isEmpty() ? "" : ": " + value(e.result().info()));
            case RunEvent.ApprovalRequested e -> e.request().toolName() + " " + e.request().arguments();
            case RunEvent.RunPaused e -> "waiting for " + e.pending().size() + " approval(s)";
            case RunEvent.RunCompleted e -> e.finalOutput() == null ? "handed off (the target takes the next turn)" : value(e.finalOutput());
            case RunEvent.RunFailed e -> e.failure().summary();
            case RunEvent.Nested e -> "in " + e.toolName() + " (" + String.join(" > ", e.path()) + "): " + summary(e.event());
        };
    }

    /** A value for display: text as it is, anything else as compact JSON. */
    private static String value(Object value) {
        return value instanceof String s ? s : Text.json(value);
    }
}
