package dev.baton.openai;

import org.jspecify.annotations.Nullable;

/**
 * The endpoint answered with an HTTP error: a non-retryable 4xx, or a 429 or 5xx that was still
 * failing when the retries ran out. The message ends with a hint for the usual statuses: 401 the
 * API key, 403 the key's access, 404 the model name or the endpoint, 429 the rate limit or quota.
 */
public final class OpenAIRequestFailed extends OpenAICallFailed {
    private final int statusCode;
    private final String providerMessage;
    private final @Nullable String errorType;
    private final @Nullable String errorCode;

    public OpenAIRequestFailed(int statusCode, String providerMessage, @Nullable String errorType, @Nullable String errorCode) {
        super(describe(statusCode, providerMessage, errorType, errorCode), null,
                statusCode == 408 || statusCode == 409 || statusCode == 429 || statusCode >= 500);
        this.statusCode = statusCode;
        this.providerMessage = providerMessage;
        this.errorType = errorType;
        this.errorCode = errorCode;
    }

    /** The HTTP status code. */
    public int statusCode() {
        return statusCode;
    }

    /** The error message the provider sent, {@code ""} if it sent none. */
    public String providerMessage() {
        return providerMessage;
    }

    /** The provider's error type (such as {@code invalid_request_error}), if it sent one. */
    public @Nullable String errorType() {
        return errorType;
    }

    /** The provider's error code (such as {@code invalid_api_key}), if it sent one. */
    public @Nullable String errorCode() {
        return errorCode;
    }

    private static String describe(int status, String message, @Nullable String type, @Nullable String code) {
        StringBuilder s = new StringBuilder("OpenAI request failed with HTTP ").append(status);
        if (!message.isEmpty()) {
            s.append(": ").append(message);
        }
        if (type != null || code != null) {
            s.append(" (");
            if (type != null) {
                s.append("type ").append(type);
            }
            if (code != null) {
                s.append(type != null ? ", " : "").append("code ").append(code);
            }
            s.append(')');
        }
        String hint = switch (status) {
            case 401 -> "the endpoint did not accept the API key: check OPENAI_API_KEY";
            case 403 -> "the API key has no access to this model or endpoint";
            case 404 -> "no such model or path: check the model name and OPENAI_BASE_URL";
            case 429 -> "rate limit or quota reached, still after the retries: wait, or check the account's limits";
            default -> null;
        };
        if (hint != null) {
            s.append("; ").append(hint);
        }
        return s.toString();
    }
}
