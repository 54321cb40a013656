package dev.baton;

/** The run reached its turn limit without a final output. */
public final class MaxTurnsExceeded extends BatonException {
    private final int maxTurns;

    public MaxTurnsExceeded(int maxTurns) {
        super("Run exceeded max turns (" + maxTurns + ") without a final output");
        this.maxTurns = maxTurns;
    }

    public int maxTurns() {
        return maxTurns;
    }
}
