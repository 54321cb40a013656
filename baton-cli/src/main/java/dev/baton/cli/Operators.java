package dev.baton.cli;

import dev.baton.RunCancelled;
import dev.baton.human.HumanChannel;
import dev.baton.human.HumanReply;
import dev.baton.human.HumanRequest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The people who answer for a desk's human agent: the operator at the console, or the demo's
 * script. Both are {@link HumanChannel}s of the core's human agent.
 */
final class Operators {
    static final String PROMPT = "Reply as the human agent:";
    static final String HANDOFF = "/handoff";
    static final String TRIAGE = "/triage";
    static final String HELP = "/help";
    static final String QUIT = "/quit";

    private Operators() {}

    /**
     * The person at the console answers, on the line after {@code operator> }; a line
     * {@code /handoff AGENT [message]} hands the customer on, {@code /triage [message]} hands them
     * back to triage (the handoff whose agent's name holds "triage", or the only one), {@code /help}
     * lists these, and {@code /quit} (or {@code /exit}) leaves. The operator is the one running the
     * command, so the channel waits for their line however long it takes, not until the request's
     * deadline. A blank line, an unknown {@code /command}, or a handoff the human agent does not
     * offer is said so and asked again: no line starting with {@code /} reaches the customer. When
     * the operator leaves, or the input ends, it throws {@link RunCancelled}: the run stops without
     * ending (a durable run stays resumable) and the operator is asked again when it is resumed.
     */
    static HumanChannel console(Terminal terminal) {
        return request -> {
            terminal.println("(operator) " + PROMPT);
            if (!request.handoffs().isEmpty()) {
                terminal.println("(operator) or hand the customer on: " + HANDOFF + " AGENT [message], AGENT one of "
                        + request.handoffs().stream().map(HumanRequest.HandoffOption::agent).collect(Collectors.joining(", "))
                        + (triage(request).isPresent() ? "; " + TRIAGE + " [message] hands back to " + triage(request).get() : ""));
            }
            terminal.println("(operator) " + HELP + " lists the commands; " + QUIT + " leaves (the run stays resumable).");
            while (true) {
                String line = terminal.prompt("operator> ");
                if (line == null) {
                    throw new RunCancelled("the operator left without replying as the human agent (the input ended)");
                }
                String typed = line.strip();
                if (typed.equals(QUIT) || typed.equals("/exit")) {
                    throw new RunCancelled("the operator left without replying as the human agent (" + typed + ")");
                }
                if (typed.equals(HELP)) {
                    terminal.println("(operator) a line is the human agent's reply to the customer; " + HANDOFF
                            + " AGENT [message] hands the customer on; " + TRIAGE + " [message] hands them back to triage; "
                            + QUIT + " leaves without replying.");
                    continue;
                }
                try {
                    HumanReply reply = parse(typed, request);
                    request.check(reply);
                    return Optional.of(reply);
                } catch (IllegalArgumentException e) {
                    terminal.println("(operator) " + e.getMessage() + "; reply again.");
                }
            }
        };
    }

    /** Answers from a script, in turn (the last answer repeats), showing each question and answer. */
    static HumanChannel scripted(Terminal terminal, List<String> answers) {
        AtomicInteger next = new AtomicInteger();
        return request -> {
            String answer = answers.get(Math.min(next.getAndIncrement(), answers.size() - 1));
            terminal.println("(operator) " + PROMPT);
            terminal.println("operator> " + answer);
            return Optional.of(parse(answer));
        };
    }

    /**
     * A line at the operator prompt as a reply: {@code /handoff AGENT [message]}, {@code /triage
     * [message]}, or the message itself.
     *
     * @throws IllegalArgumentException for a blank line, an unknown {@code /command}, or {@code
     *     /triage} when the human agent hands off to no triage agent
     */
    static HumanReply parse(String line, HumanRequest request) {
        if (line.equals(TRIAGE) || line.startsWith(TRIAGE + " ")) {
            String agent = triage(request).orElseThrow(() -> new IllegalArgumentException(TRIAGE
                    + " hands back to a triage agent, and the human agent hands off to none"
                    + (request.handoffs().isEmpty() ? "" : " (use " + HANDOFF + " AGENT)")));
            return HumanReply.handOff(agent, line.substring(TRIAGE.length()).strip());
        }
        if (line.matches("/\\w+(\\s.*)?") && !line.equals(HANDOFF) && !line.startsWith(HANDOFF + " ")) {
            throw new IllegalArgumentException("Unknown command " + line.split("\\s", 2)[0] + " (" + HELP
                    + " lists them; a reply to the customer does not start with /)");
        }
        return parse(line);
    }

    /** The agent {@code /triage} hands back to: the handoff whose agent's name holds "triage", or the only handoff. */
    static Optional<String> triage(HumanRequest request) {
        List<String> agents = request.handoffs().stream().map(HumanRequest.HandoffOption::agent).toList();
        List<String> named = agents.stream().filter(a -> a.contains("triage")).toList();
        if (named.size() == 1) {
            return Optional.of(named.get(0));
        }
        return agents.size() == 1 ? Optional.of(agents.get(0)) : Optional.empty();
    }

    /** A line as a reply: {@code /handoff AGENT [message]}, or the message itself. */
    static HumanReply parse(String line) {
        if (line.equals(HANDOFF) || line.startsWith(HANDOFF + " ")) {
            String[] parts = line.substring(HANDOFF.length()).strip().split("\\s+", 2);
            if (parts[0].isEmpty()) {
                throw new IllegalArgumentException(HANDOFF + " needs the agent to hand the customer to");
            }
            return HumanReply.handOff(parts[0], parts.length > 1 ? parts[1] : "");
        }
        if (line.isBlank()) {
            throw new IllegalArgumentException("An empty reply says nothing to the customer");
        }
        return HumanReply.say(line);
    }
}
