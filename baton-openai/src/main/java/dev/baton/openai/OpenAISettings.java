package dev.baton.openai;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to reach an OpenAI or OpenAI-compatible endpoint.
 *
 * @param apiKey the API key; null where none is configured (calls then fail with a
 *     {@link dev.baton.UserError} when a model is created)
 * @param baseUrl the endpoint, such as {@code http://localhost:11434/v1}; null for OpenAI's own
 * @param maxRetries how often a call is retried after a 408, 409, 429 or 5xx, a refused or a
 *     dropped connection, with exponential backoff and jitter, honouring {@code Retry-After};
 *     each retry is logged at WARN. Unknown hosts, TLS failures and timeouts are not retried.
 * @param timeout per-call timeout
 * @param defaultModel the model for an empty model name ({@code BATON_MODEL}), or null
 * @param api the API that models use ({@code BATON_OPENAI_API}: {@code chat}, the default, or {@code responses})
 * @param store Responses API only: whether OpenAI keeps responses (default false; reasoning items
 *     then come back with encrypted content and round-trip without server-side state)
 */
public record OpenAISettings(
        @Nullable String apiKey,
        @Nullable String baseUrl,
        int maxRetries,
        Duration timeout,
        @Nullable String defaultModel,
        Api api,
        boolean store) {

    /** The OpenAI API a model talks to. */
    public enum Api {
        /** {@code POST /chat/completions}: OpenAI and every OpenAI-compatible server ({@link OpenAIChatCompletionsModel}). */
        CHAT_COMPLETIONS,
        /** {@code POST /responses}: OpenAI's Responses API, with reasoning items ({@link OpenAIResponsesModel}). */
        RESPONSES
    }

    /** Retries when none are configured. */
    public static final int DEFAULT_MAX_RETRIES = 2;
    /** Timeout when none is configured. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    public OpenAISettings {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative, got " + maxRetries);
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        Objects.requireNonNull(api, "api");
        apiKey = blankToNull(apiKey);
        baseUrl = blankToNull(baseUrl);
        defaultModel = blankToNull(defaultModel);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Settings from {@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL}, {@code BATON_MODEL} and
     * {@code BATON_OPENAI_API} ({@code chat} or {@code responses}).
     *
     * @throws dev.baton.UserError if {@code BATON_OPENAI_API} names no API
     */
    public static OpenAISettings fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * Settings from {@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL}, {@code BATON_MODEL} and
     * {@code BATON_OPENAI_API} in {@code env}.
     *
     * @throws dev.baton.UserError if {@code BATON_OPENAI_API} names no API
     */
    public static OpenAISettings fromEnvironment(Map<String, String> env) {
        return builder()
                .apiKey(env.get("OPENAI_API_KEY"))
                .baseUrl(env.get("OPENAI_BASE_URL"))
                .defaultModel(env.get("BATON_MODEL"))
                .api(api(env.get("BATON_OPENAI_API")))
                .build();
    }

    private static Api api(@Nullable String value) {
        String v = value == null ? "" : value.strip().toLowerCase(java.util.Locale.ROOT);
        return switch (v) {
            case "", "chat", "chat_completions", "chat-completions", "completions" -> Api.CHAT_COMPLETIONS;
            case "responses" -> Api.RESPONSES;
            default -> throw new dev.baton.UserError(
                    "BATON_OPENAI_API must be 'chat' or 'responses', got '" + value.strip() + "'");
        };
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder().apiKey(apiKey).baseUrl(baseUrl).maxRetries(maxRetries).timeout(timeout)
                .defaultModel(defaultModel).api(api).store(store);
    }

    /** Never shows the API key. */
    @Override
    public String toString() {
        return "OpenAISettings[apiKey=" + (apiKey == null ? "none" : "***") + ", baseUrl=" + baseUrl
                + ", maxRetries=" + maxRetries + ", timeout=" + timeout + ", defaultModel=" + defaultModel
                + ", api=" + api + ", store=" + store + "]";
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** Builds {@link OpenAISettings}; every field is optional. */
    public static final class Builder {
        private @Nullable String apiKey;
        private @Nullable String baseUrl;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration timeout = DEFAULT_TIMEOUT;
        private @Nullable String defaultModel;
        private Api api = Api.CHAT_COMPLETIONS;
        private boolean store;

        private Builder() {}

        public Builder apiKey(@Nullable String value) {
            apiKey = value;
            return this;
        }

        public Builder baseUrl(@Nullable String value) {
            baseUrl = value;
            return this;
        }

        public Builder maxRetries(int value) {
            maxRetries = value;
            return this;
        }

        public Builder timeout(Duration value) {
            timeout = value;
            return this;
        }

        public Builder defaultModel(@Nullable String value) {
            defaultModel = value;
            return this;
        }

        public Builder api(Api value) {
            api = value;
            return this;
        }

        /** Responses API only: whether OpenAI keeps responses; default false. */
        public Builder store(boolean value) {
            store = value;
            return this;
        }

        public OpenAISettings build() {
            return new OpenAISettings(apiKey, baseUrl, maxRetries, timeout, defaultModel, api, store);
        }
    }
}
