package dev.baton.cli;

import dev.baton.durable.Approval;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** How approvals are asked for and listed at the console. */
final class Approvals {
    private Approvals() {}

    /**
     * Asks at the console: {@code Approve process_refund {"invoice_id":...}? [y/n]}; on {@code n},
     * an optional message for the model. End of input leaves the call pending.
     */
    static Turns.Approver console(Terminal terminal) {
        return a -> {
            while (true) {
                String answer = terminal.prompt(question(a));
                if (answer == null) {
                    return null;
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
        };
    }

    /** Approves every call, printing the question and the answer: the demo's reviewer. */
    static Turns.Approver scripted(Terminal terminal) {
        return a -> {
            terminal.println(question(a) + "y");
            return new Turns.Decision(true, null);
        };
    }

    static String question(Approval a) {
        return "Approve " + a.tool() + " " + Text.oneLine(a.arguments(), 300) + "? [y/n] ";
    }

    /** Prints calls left waiting, each with the commands that decide it. */
    static void printPending(Terminal terminal, List<Approval> pending, @Nullable String db, boolean toErr) {
        String dbOption = dbOption(db);
        StringBuilder out = new StringBuilder();
        out.append("Paused: ").append(pending.size()).append(pending.size() == 1 ? " call waits" : " calls wait")
                .append(" for approval");
        for (Approval a : pending) {
            out.append("\n  ").append(a.tool()).append(' ').append(Text.oneLine(a.arguments(), 300)).append(" (").append(a.agent())
                    .append(')');
            out.append("\n    approve: baton approvals approve ").append(Turns.approvalId(a)).append(dbOption);
            out.append("\n    reject:  baton approvals reject ").append(Turns.approvalId(a)).append(" --message \"...\"").append(dbOption);
        }
        if (toErr) {
            terminal.error(out.toString());
        } else {
            terminal.println(out.toString());
        }
    }

    /** {@code --db <value>}, quoted for a shell, to repeat in commands printed for the user; empty for the default database. */
    static String dbOption(@Nullable String db) {
        return db == null ? "" : " --db " + quote(db);
    }

    private static String quote(String s) {
        return s.matches("[A-Za-z0-9_./:=@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
