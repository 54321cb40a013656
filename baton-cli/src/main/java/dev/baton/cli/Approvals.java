package dev.baton.cli;

import dev.baton.durable.Approval;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** How approvals are asked for and listed at the console. */
final class Approvals {
    private Approvals() {}

    /**
     * Asks at the console: {@code Approve process_refund {"invoice_id":...}? [y/n]}; on {@code n},
     * an optional message for the model. End of input (or {@code /quit}) leaves the call pending.
     */
    static Turns.Approver console(Terminal terminal, Workbench wb) {
        return new Turns.Approver() {
            @Override
            public Turns.@Nullable Decision decide(Approval a) {
                return ask(terminal, question(a, wb.explain(a)));
            }

            @Override
            public void note(String line) {
                terminal.println(line);
            }
        };
    }

    static Turns.@Nullable Decision ask(Terminal terminal, String question) {
        while (true) {
            String answer = terminal.prompt(question);
            if (answer == null || answer.strip().equals(ChatCommand.QUIT)) {
                return null; // left pending, for later
            }
            String v = answer.strip().toLowerCase(java.util.Locale.ROOT);
            if (v.equals("y") || v.equals("yes")) {
                return new Turns.Decision(true, null);
            }
            if (v.equals("n") || v.equals("no")) {
                String message = terminal.prompt("Message for the agent (optional): ");
                return new Turns.Decision(false, message == null || message.isBlank() ? null : message.strip());
            }
            terminal.println("Please answer y or n.");
        }
    }

    /** Approves every call, printing the question and the answer: the demo's reviewer. */
    static Turns.Approver scripted(Terminal terminal, Workbench wb) {
        return a -> {
            terminal.println(question(a, wb.explain(a)) + "y");
            return new Turns.Decision(true, null);
        };
    }

    /** {@code Approve <tool> <arguments in full> (<what the desk adds>)? [y/n] }. */
    static String question(Approval a, @Nullable String explanation) {
        return "Approve " + call(a, explanation) + "? [y/n] ";
    }

    /**
     * A call as a person deciding it sees it: the tool, its arguments in full (a cut could hide
     * the amount) and what the desk adds, such as the item and price a refund is for.
     */
    static String call(Approval a, @Nullable String explanation) {
        return a.tool() + " " + arguments(a) + (explanation == null ? "" : " (" + explanation + ")");
    }

    /** An approval's arguments on one line, in full. */
    static String arguments(Approval a) {
        return Text.oneLine(a.arguments(), Integer.MAX_VALUE);
    }

    /** Prints calls left waiting, each with the commands that decide it. */
    static void printPending(Terminal terminal, Workbench wb, List<Approval> pending, @Nullable String db, boolean toErr) {
        String dbOption = dbOption(db);
        StringBuilder out = new StringBuilder();
        out.append("Paused: ").append(pending.size()).append(pending.size() == 1 ? " call waits" : " calls wait")
                .append(" for approval");
        for (Approval a : pending) {
            out.append("\n  ").append(call(a, wb.explain(a))).append(" (").append(a.agent()).append(')');
            out.append("\n    approve: " + Hint.command() + " approvals approve ").append(Turns.approvalId(a)).append(dbOption);
            out.append("\n    reject:  " + Hint.command() + " approvals reject ").append(Turns.approvalId(a)).append(" --message \"...\"").append(dbOption);
        }
        if (toErr) {
            terminal.error(out.toString());
        } else {
            terminal.println(out.toString());
        }
    }

    /**
     * {@code --db <value>}, quoted for a shell, to repeat in commands printed for the user; empty for
     * the default database. A password in the URL is printed as {@code ***}: hints end up in
     * terminal scrollback and logs, so the user puts the password back in themselves.
     */
    static String dbOption(@Nullable String db) {
        return db == null ? "" : " --db " + quote(Stores.masked(db));
    }

    private static String quote(String s) {
        return s.matches("[A-Za-z0-9_./:=@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
