package dev.baton.cli.desk;

import org.jspecify.annotations.Nullable;

/**
 * The person at the console. The human agent of a desk asks the operator for the reply a human
 * support agent would give; the {@code chat} command also asks the operator to approve tool calls.
 * The demo and the tests use an operator that answers from a script.
 */
@FunctionalInterface
public interface Operator {
    /**
     * Shows {@code prompt} and returns the operator's answer (one line, without its line break).
     *
     * @return the answer, or null if there is no one to answer (the input has ended): the human
     *     agent's run then stops without ending, resumable once someone is there
     */
    @Nullable String ask(String prompt);
}
