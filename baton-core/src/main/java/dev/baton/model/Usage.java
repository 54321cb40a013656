package dev.baton.model;

/**
 * Requests and tokens spent. Values add up with {@link #plus}.
 *
 * @param requests model calls made
 * @param inputTokens tokens sent
 * @param outputTokens tokens received
 * @param totalTokens input plus output, as the provider counted them
 * @param cachedInputTokens input tokens served from the provider's prompt cache
 * @param reasoningTokens output tokens spent on reasoning
 */
public record Usage(
        long requests,
        long inputTokens,
        long outputTokens,
        long totalTokens,
        long cachedInputTokens,
        long reasoningTokens) {

    private static final Usage ZERO = new Usage(0, 0, 0, 0, 0, 0);

    public static Usage zero() {
        return ZERO;
    }

    /** One request with these token counts; the total is their sum. */
    public static Usage of(long inputTokens, long outputTokens) {
        return new Usage(1, inputTokens, outputTokens, inputTokens + outputTokens, 0, 0);
    }

    public Usage plus(Usage other) {
        return new Usage(
                requests + other.requests,
                inputTokens + other.inputTokens,
                outputTokens + other.outputTokens,
                totalTokens + other.totalTokens,
                cachedInputTokens + other.cachedInputTokens,
                reasoningTokens + other.reasoningTokens);
    }
}
