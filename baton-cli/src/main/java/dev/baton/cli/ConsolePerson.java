package dev.baton.cli;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.runtime.handoff.AgentResponse;
import dev.baton.runtime.handoff.ApprovalRequired;
import dev.baton.runtime.handoff.Person;
import dev.baton.runtime.handoff.TurnFailed;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The customer at the console, for a chat on the runtime: shows what happened since the last answer
 * (tool calls, handoffs) from the conversation each answer carries, then the answer, and reads the
 * next line. Answers of other sessions (a runtime shared with other people) are not shown.
 */
final class ConsolePerson implements Person {
    private static final int MAX_VALUE = 400;

    private final Terminal terminal;
    private final String session;
    private final Runnable left;
    private int shown;

    /** @param left told when the customer leaves (a leaving line, or the end of the input) */
    ConsolePerson(Terminal terminal, String session, int alreadyShown, Runnable left) {
        this.terminal = terminal;
        this.session = session;
        this.shown = alreadyShown;
        this.left = left;
    }

    @Override
    public Optional<String> firstMessage(String session) {
        return this.session.equals(session) ? read() : Optional.empty();
    }

    @Override
    public Optional<String> reply(String session, AgentResponse answer) {
        if (!this.session.equals(session)) {
            return Optional.empty();
        }
        List<Item> conversation = answer.conversation();
        for (int i = Math.min(shown, conversation.size()); i < conversation.size() - 1; i++) {
            show(conversation.get(i));
        }
        shown = conversation.size();
        terminal.println("[" + answer.agent() + "] " + answer.text().strip().replace("\n", "\n    "));
        return read();
    }

    @Override
    public void waiting(String session, ApprovalRequired approval) {
        if (this.session.equals(session)) {
            terminal.println("   (" + approval.agent() + " waits for approval of "
                    + approval.pending().stream().map(p -> p.toolName()).toList() + ")");
        }
    }

    @Override
    public Optional<String> afterFailure(String session, TurnFailed failure) {
        if (!this.session.equals(session)) {
            return Optional.empty();
        }
        terminal.println("!! " + failure.agent() + " could not answer: " + Text.oneLine(failure.error(), MAX_VALUE));
        return read();
    }

    private void show(Item item) {
        switch (item) {
            case ToolCall c when c.name().startsWith("transfer_") || c.name().startsWith("escalate_") ->
                    terminal.println("-> handoff (" + c.name() + ")");
            case ToolCall c -> terminal.println("   tool " + c.name() + " " + Text.oneLine(c.arguments(), MAX_VALUE));
            case ToolOutput o when o.output().startsWith("{\"assistant\":") -> { }
            case ToolOutput o -> terminal.println("   => " + Text.oneLine(o.output(), MAX_VALUE));
            case Message m when m.role() == Message.Role.ASSISTANT && !m.text().isBlank() ->
                    terminal.println("   (" + Text.oneLine(m.text(), MAX_VALUE) + ")");
            default -> { }
        }
    }

    /** The customer's next line; empty when they leave. */
    private Optional<String> read() {
        while (true) {
            String line = terminal.prompt("you> ");
            if (line == null || ChatCommand.LEAVE.contains(line.strip().toLowerCase(Locale.ROOT))) {
                left.run();
                return Optional.empty();
            }
            String typed = line.strip();
            if (typed.isEmpty()) {
                continue;
            }
            if (typed.equals(ChatCommand.HELP)) {
                terminal.println(ChatCommand.HELP_TEXT);
                continue;
            }
            if (typed.matches("/\\w+(\\s.*)?")) {
                terminal.println("Unknown command " + typed.split("\\s", 2)[0] + "; " + ChatCommand.HELP + " lists the commands (nothing was sent).");
                continue;
            }
            shown++; // the customer's own message is not shown back
            return Optional.of(typed);
        }
    }
}
