package dev.baton.cli;

import dev.baton.cli.desk.Operator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The people who answer for a desk's human agent: the one at the console, or the demo's script. */
final class Operators {
    private Operators() {}

    /**
     * The person at the console answers, on the line after {@code operator> }; no one (null) once
     * the input has ended.
     */
    static Operator console(Terminal terminal) {
        return prompt -> {
            terminal.println("(operator) " + Text.oneLine(prompt, 2000));
            String answer = terminal.prompt("operator> ");
            return answer == null ? null : answer.strip();
        };
    }

    /** Answers from a script, in turn (the last answer repeats), showing each question and answer. */
    static Operator scripted(Terminal terminal, List<String> answers) {
        AtomicInteger next = new AtomicInteger();
        return prompt -> {
            String answer = answers.get(Math.min(next.getAndIncrement(), answers.size() - 1));
            terminal.println("(operator) " + Text.oneLine(prompt, 2000));
            terminal.println("operator> " + answer);
            return answer;
        };
    }
}
