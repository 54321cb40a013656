package dev.baton.cli;

import dev.baton.cli.desk.Desk;
import dev.baton.run.ApprovalRequest;
import dev.baton.runtime.MessageContext;
import dev.baton.runtime.RoutedAgent;
import dev.baton.runtime.TopicId;
import dev.baton.runtime.handoff.ApprovalDecision;
import dev.baton.runtime.handoff.ApprovalRequired;
import org.jspecify.annotations.Nullable;

/**
 * The person deciding tool calls at the console, for a chat on the runtime: asks about each call
 * of an {@link ApprovalRequired} of its session and publishes the decisions to the waiting agent.
 * At the end of the input (or /quit) the calls stay pending, and the console is told the person left.
 */
final class ConsoleApprover extends RoutedAgent {
    static final String TYPE = "console_approver";

    ConsoleApprover(Terminal terminal, Desk<?> desk, String session, Runnable inputEnded) {
        on(ApprovalRequired.class, (ApprovalRequired request, MessageContext context) -> {
            if (!session.equals(id().key())) {
                return;
            }
            for (ApprovalRequest call : request.pending()) {
                @Nullable String explanation = desk.explain(call.toolName(), call.arguments());
                Turns.Decision decision = Approvals.ask(terminal, "Approve " + call.toolName() + " " + call.arguments()
                        + (explanation == null ? "" : " (" + explanation + ")") + "? [y/n] ");
                if (decision == null) {
                    terminal.println("   (left pending)");
                    inputEnded.run();
                    return;
                }
                publish(new ApprovalDecision(request.runId(), call.callId(), decision.approved(), false, decision.message(), "console"),
                        new TopicId(request.replyToTopicType(), id().key()));
            }
        });
    }
}
