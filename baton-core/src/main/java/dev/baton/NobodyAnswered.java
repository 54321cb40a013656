package dev.baton;

import java.time.Duration;

/**
 * Nobody answered for a human agent before its timeout, and the agent was built to fail then
 * ({@code HumanAgent.Builder.failWhenNobodyAnswers()}). The run ends with this error; the
 * human agent still holds the session, so the next message asks a person again.
 */
public final class NobodyAnswered extends BatonException {
    private final String agent;
    private final Duration timeout;

    /**
     * @param waited how the wait reads in the message, e.g. {@code "30 s"}
     */
    public NobodyAnswered(String agent, Duration timeout, String waited) {
        super("Nobody answered for human agent '" + agent + "' within " + waited);
        this.agent = agent;
        this.timeout = timeout;
    }

    /** The human agent nobody answered for. */
    public String agent() {
        return agent;
    }

    /** How long the run waited. */
    public Duration timeout() {
        return timeout;
    }
}
