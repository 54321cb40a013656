package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.durable.Approval;
import dev.baton.durable.Effect;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunHistory;
import dev.baton.durable.RunRecord;
import dev.baton.model.Usage;
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

    @Parameters(index = "0", paramLabel = "ID", description = "The run id (see: baton runs list).")
    String runId;

    @Override
    public Integer call() {
        BatonCli root = parent.root;
        Terminal t = root.terminal();
        try (Workbench wb = Workbench.open(root.settings(), Operators.console(t))) {
            RunHistory h = wb.attach(runId).history();
            RunRecord r = h.run();
            t.println("run " + r.id() + " · " + r.status().name().toLowerCase(Locale.ROOT) + " · desk " + wb.deskName(r) + " · session "
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

    /** What an event says, in a few words, from its recorded data. */
    static String summary(RecordedEvent e) {
        JsonNode d = Text.tree(e.data());
        JsonNode item = d.path("item");
        return switch (e.type()) {
            case "RunStarted" -> {
                JsonNode input = d.path("input");
                JsonNode last = input.size() == 0 ? null : input.get(input.size() - 1);
                yield input.size() + " input items" + (last == null ? "" : "; last: " + Text.display(last.path("text")));
            }
            case "AgentUpdated" -> d.path("previous").isNull() || d.path("previous").isMissingNode()
                    ? "starts with " + e.agent() : d.path("previous").asText() + " -> " + e.agent();
            case "TurnStarted" -> "turn " + d.path("turn").asText();
            case "ModelResponded" -> "turn " + d.path("turn").asText() + ": " + d.path("output").size() + " output items, "
                    + d.path("usage").path("inputTokens").asLong() + " tokens in, " + d.path("usage").path("outputTokens").asLong() + " out";
            case "MessageOutput" -> item.path("message").hasNonNull("refusal")
                    ? (item.path("message").path("text").asText().isEmpty() ? "" : Text.display(item.path("message").path("text")) + " ")
                            + "(declines) " + Text.display(item.path("message").path("refusal"))
                    : Text.display(item.path("message").path("text"));
            case "ReasoningOutput" -> Text.display(item.path("reasoning").path("summary"));
            case "ToolCalled", "HandoffRequested" -> item.path("call").path("name").asText() + " " + Text.display(item.path("call").path("arguments"));
            case "ToolFinished" -> (item.path("error").asBoolean() ? "error: " : "") + Text.display(item.path("output").path("output"));
            case "HandoffIgnored" -> "ignored handoff to " + d.path("targetAgent").asText();
            case "HandoffOccurred" -> d.path("from").asText() + " -> " + d.path("to").asText();
            case "GuardrailChecked" -> d.path("result").path("name").asText() + (d.path("result").path("tripwireTriggered").asBoolean()
                    ? " tripped" : " passed") + info(d.path("result").path("info"));
            case "ApprovalRequested" -> d.path("request").path("toolName").asText() + " " + Text.display(d.path("request").path("arguments"));
            case "RunPaused" -> "waiting for " + d.path("pending").size() + " approval(s)";
            case "RunCompleted" -> Text.display(d.path("finalOutput"));
            case "RunFailed" -> d.path("errorType").asText().replaceAll(".*\\.", "") + ": " + d.path("message").asText();
            default -> d.toString();
        };
    }

    private static String info(JsonNode info) {
        String s = Text.display(info);
        return s.isEmpty() ? "" : ": " + s;
    }
}
