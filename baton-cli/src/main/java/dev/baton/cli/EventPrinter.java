package dev.baton.cli;

import dev.baton.GuardrailTripwireTriggered;
import dev.baton.guardrail.GuardrailResult;
import dev.baton.run.RunEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Shows a run as it happens: who speaks ({@code [billing_specialist] ...}), each handoff
 * ({@code -> handoff support_triage -> billing_specialist}), each tool call with its arguments and
 * its result, and guardrails that trip. Model calls, turns and passing guardrails stay quiet
 * unless {@code verbose}.
 */
final class EventPrinter implements Consumer<RunEvent> {
    private static final int MAX_VALUE = 400;

    private final Terminal terminal;
    private final boolean verbose;
    private final Map<String, String> toolNames = new ConcurrentHashMap<>();

    EventPrinter(Terminal terminal, boolean verbose) {
        this.terminal = terminal;
        this.verbose = verbose;
    }

    /**
     * Learns the tool calls a run made before this process followed it (a run paused elsewhere and
     * continued here), so their results are shown with their tool's name.
     */
    EventPrinter knowing(List<RunEvent> earlier) {
        for (RunEvent e : earlier) {
            if (e instanceof RunEvent.ToolCalled called) {
                toolNames.put(called.item().call().callId(), called.item().call().name());
            }
        }
        return this;
    }

    @Override
    public void accept(RunEvent event) {
        switch (event) {
            case RunEvent.HandoffOccurred e -> terminal.println("-> handoff " + e.from() + " -> " + e.to());
            case RunEvent.HandoffIgnored e -> terminal.println("   (handoff to " + e.targetAgent() + " ignored: one handoff per answer)");
            case RunEvent.ToolCalled e -> {
                toolNames.put(e.item().call().callId(), e.item().call().name());
                terminal.println("   tool " + e.item().call().name() + " " + Text.oneLine(e.item().call().arguments(), MAX_VALUE));
            }
            case RunEvent.ToolFinished e -> {
                String name = toolNames.getOrDefault(e.item().output().callId(), "tool");
                String output = Text.oneLine(e.item().output().describe(), MAX_VALUE);
                terminal.println("   " + (e.item().error() ? "error " : "=> ") + name + ": " + output);
            }
            case RunEvent.MessageOutput e -> {
                if (!e.item().text().isBlank()) {
                    terminal.println("[" + e.agent() + "] " + e.item().text().strip().replace("\n", "\n    "));
                }
                if (e.item().refusal() != null) {
                    terminal.println("[" + e.agent() + "] (declines) " + e.item().refusal().strip().replace("\n", "\n    "));
                }
            }
            case RunEvent.GuardrailChecked e -> guardrail(e.result());
            case RunEvent.RunFailed e -> {
                if (e.error() instanceof GuardrailTripwireTriggered g) {
                    terminal.println("   (stopped by the " + g.result().name() + " guardrail: no agent answers this message)");
                }
            }
            case RunEvent.TurnStarted e -> {
                if (verbose) {
                    terminal.println("   (turn " + e.turn() + ", " + e.agent() + ")");
                }
            }
            case RunEvent.ModelResponded e -> {
                if (verbose) {
                    terminal.println("   (model answered: " + e.response().usage().inputTokens() + " tokens in, "
                            + e.response().usage().outputTokens() + " out)");
                }
            }
            case RunEvent.ReasoningOutput e -> {
                if (verbose && !e.item().reasoning().summary().isBlank()) {
                    terminal.println("   (thinking: " + Text.oneLine(e.item().reasoning().summary(), MAX_VALUE) + ")");
                }
            }
            default -> {
                // Run start and end, agent updates, handoff requests, approvals: the handoff line,
                // the reply and the approval prompt already say what these do.
            }
        }
    }

    private void guardrail(GuardrailResult r) {
        String info = r.info() == null ? "" : ": " + Text.oneLine(Text.display(Text.tree(Text.json(r.info()))), MAX_VALUE);
        if (r.tripwireTriggered()) {
            terminal.println("!! guardrail " + r.name() + " tripped on " + r.agent() + info);
        } else if (verbose) {
            terminal.println("   (guardrail " + r.name() + " passed" + info + ")");
        }
    }
}
