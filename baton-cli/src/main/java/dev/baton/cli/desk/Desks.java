package dev.baton.cli.desk;

import dev.baton.UserError;
import dev.baton.human.HumanChannel;
import java.util.List;

/** The example desks by name: the one place the {@code baton} command finds them. */
public final class Desks {
    private static final List<String> NAMES = List.of("support", "acme", "rma");

    private Desks() {}

    /** The names of the desks, in the order the command lists them. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * A new desk with fresh sample data. {@code people} answer for the human agent (acme) and are
     * otherwise unused.
     *
     * @throws UserError if no desk has that name
     */
    public static Desk<?> create(String name, HumanChannel people) {
        return switch (name) {
            case "support" -> new SupportDesk();
            case "acme" -> new AcmeDesk(people);
            case "rma" -> new RmaDesk();
            default -> throw new UserError("Unknown desk '" + name + "'; the desks are " + String.join(", ", NAMES));
        };
    }
}
