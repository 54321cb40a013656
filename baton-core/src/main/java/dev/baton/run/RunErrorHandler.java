package dev.baton.run;

import dev.baton.item.RunItem;
import java.util.List;
import java.util.Optional;

/**
 * Turns a run's ending failure into a final output instead of an exception: a run that reached
 * its turn limit, a final answer that does not fit the agent's output type, or a final answer in
 * which the model refused. Return empty to let the run fail as it would have.
 *
 * <pre>{@code
 * RunOptions.none().withErrorHandler(error -> switch (error) {
 *     case RunErrorHandler.Failure.MaxTurns m -> Optional.of("Sorry, that took too long. A colleague will follow up.");
 *     case RunErrorHandler.Failure.InvalidOutput i -> Optional.empty();
 *     case RunErrorHandler.Failure.Refusal r -> Optional.of("I can't help with that here; a colleague will get back to you.");
 * });
 * }</pre>
 */
@FunctionalInterface
public interface RunErrorHandler {

    Optional<Object> handle(Failure failure);

    /** What went wrong. */
    sealed interface Failure {
        /** The agent that was active. */
        String agent();

        /** Items the run produced so far. */
        List<RunItem> items();

        /** The run reached {@code maxTurns} without a final output. */
        record MaxTurns(String agent, List<RunItem> items, int maxTurns) implements Failure {}

        /** The agent's final answer {@code rawOutput} does not fit its output type. */
        record InvalidOutput(String agent, List<RunItem> items, String rawOutput, String message) implements Failure {}

        /**
         * The agent's final answer is a refusal: the model declined, saying {@code refusal}.
         * {@code items} include the refusal message. Never reported as {@link InvalidOutput}.
         */
        record Refusal(String agent, List<RunItem> items, String refusal) implements Failure {}
    }
}
