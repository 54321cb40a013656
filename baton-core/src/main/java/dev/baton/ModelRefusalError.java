package dev.baton;

import java.util.Objects;

/**
 * The agent's final answer is a refusal: the model declined to answer, and said why in
 * {@link #refusal()}. Raised for every agent, whatever its output type: a refusal is neither an
 * answer nor output that failed to parse, so it is not reported as invalid output and the model
 * is not asked again. A run error handler can turn it into a final output
 * ({@link dev.baton.run.RunErrorHandler.Failure.Refusal}). The refusal message is in
 * {@link #items()} and in the session like any other message.
 */
public final class ModelRefusalError extends BatonException {
    private final String agent;
    private final String refusal;

    public ModelRefusalError(String agent, String refusal) {
        super("Agent '" + Objects.requireNonNull(agent, "agent") + "' refused to answer: "
                + Objects.requireNonNull(refusal, "refusal"));
        this.agent = agent;
        this.refusal = refusal;
    }

    /** The agent whose model refused. */
    public String agent() {
        return agent;
    }

    /** What the model said when it declined, as it said it. */
    public String refusal() {
        return refusal;
    }
}
