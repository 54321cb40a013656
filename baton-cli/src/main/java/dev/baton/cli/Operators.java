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

    private Operators() {}

    /**
     * The person at the console answers, on the line after {@code operator> }; a line
     * {@code /handoff AGENT [message]} hands the customer on. The operator is the one running the
     * command, so the channel waits for their line however long it takes, not until the request's
     * deadline. A blank line, or a handoff the human agent does not offer, is said so and asked
     * again. When the input ends it throws {@link RunCancelled}: the run stops without ending (a
     * durable run stays resumable) and the operator is asked again when it is resumed.
     */
    static HumanChannel console(Terminal terminal) {
        return request -> {
            terminal.println("(operator) " + PROMPT);
            if (!request.handoffs().isEmpty()) {
                terminal.println("(operator) or hand the customer on: " + HANDOFF + " AGENT [message], AGENT one of "
                        + request.handoffs().stream().map(HumanRequest.HandoffOption::agent).collect(Collectors.joining(", ")));
            }
            while (true) {
                String line = terminal.prompt("operator> ");
                if (line == null) {
                    throw new RunCancelled("the operator left without replying as the human agent (the input ended)");
                }
                try {
                    HumanReply reply = parse(line.strip());
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
