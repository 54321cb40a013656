package dev.baton.agent;

import dev.baton.run.RunContext;
import dev.baton.tool.ToolResult;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What happens after an agent's tools ran in a turn: call the model again with their outputs
 * (the default), or end the run with a tool's output as the final output.
 */
public sealed interface ToolUseBehavior<C> {

    /** Call the model again with the tool outputs. */
    record RunLlmAgain<C>() implements ToolUseBehavior<C> {}

    /** The output of the first tool called (in call order) is the final output. */
    record StopOnFirstTool<C>() implements ToolUseBehavior<C> {}

    /** If one of these tools was called, the output of the first such call is the final output. */
    record StopAtTools<C>(Set<String> toolNames) implements ToolUseBehavior<C> {
        public StopAtTools {
            toolNames = Set.copyOf(toolNames);
        }
    }

    /** A function of the turn's tool results decides; an empty result means "call the model again". */
    record Custom<C>(Decider<C> decider) implements ToolUseBehavior<C> {}

    /** Decides whether a turn's tool results end the run. */
    @FunctionalInterface
    interface Decider<C> {
        Optional<String> finalOutput(RunContext<C> context, List<ToolResult> results);
    }

    static <C> ToolUseBehavior<C> runLlmAgain() {
        return new RunLlmAgain<>();
    }

    static <C> ToolUseBehavior<C> stopOnFirstTool() {
        return new StopOnFirstTool<>();
    }

    static <C> ToolUseBehavior<C> stopAtTools(String... toolNames) {
        return new StopAtTools<>(Set.of(toolNames));
    }

    static <C> ToolUseBehavior<C> custom(Decider<C> decider) {
        return new Custom<>(decider);
    }

    /** The final output this behaviour makes of a turn's tool results, if any. */
    default Optional<String> finalOutput(RunContext<C> context, List<ToolResult> results) {
        if (results.isEmpty()) {
            return Optional.empty();
        }
        return switch (this) {
            case RunLlmAgain<C> r -> Optional.empty();
            case StopOnFirstTool<C> s -> Optional.of(results.get(0).output());
            case StopAtTools<C> s -> results.stream()
                    .filter(r -> s.toolNames().contains(r.toolName()))
                    .findFirst()
                    .map(ToolResult::output);
            case Custom<C> c -> c.decider().finalOutput(context, results);
        };
    }
}
