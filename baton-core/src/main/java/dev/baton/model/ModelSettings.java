package dev.baton.model;

import org.jspecify.annotations.Nullable;

/**
 * Sampling and tool settings for a model call. Every field is optional (null means "the
 * provider's default"). A run layers the runner's and the run's settings over each agent's.
 */
public record ModelSettings(
        @Nullable Double temperature,
        @Nullable Double topP,
        @Nullable Integer maxTokens,
        @Nullable ToolChoice toolChoice,
        @Nullable Boolean parallelToolCalls) {

    private static final ModelSettings NONE = new ModelSettings(null, null, null, null, null);

    public ModelSettings {
        if (temperature != null && (temperature < 0 || temperature > 2)) {
            throw new IllegalArgumentException("temperature must be within [0, 2], got " + temperature);
        }
        if (topP != null && (topP <= 0 || topP > 1)) {
            throw new IllegalArgumentException("topP must be within (0, 1], got " + topP);
        }
        if (maxTokens != null && maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be positive, got " + maxTokens);
        }
    }

    /** Settings with every field unset. */
    public static ModelSettings defaults() {
        return NONE;
    }

    public ModelSettings withTemperature(@Nullable Double value) {
        return new ModelSettings(value, topP, maxTokens, toolChoice, parallelToolCalls);
    }

    public ModelSettings withTopP(@Nullable Double value) {
        return new ModelSettings(temperature, value, maxTokens, toolChoice, parallelToolCalls);
    }

    public ModelSettings withMaxTokens(@Nullable Integer value) {
        return new ModelSettings(temperature, topP, value, toolChoice, parallelToolCalls);
    }

    public ModelSettings withToolChoice(@Nullable ToolChoice value) {
        return new ModelSettings(temperature, topP, maxTokens, value, parallelToolCalls);
    }

    public ModelSettings withParallelToolCalls(@Nullable Boolean value) {
        return new ModelSettings(temperature, topP, maxTokens, toolChoice, value);
    }
}
