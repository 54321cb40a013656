package dev.baton.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import com.openai.errors.OpenAIException;
import com.openai.errors.OpenAIServiceException;
import java.io.InterruptedIOException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Translates the SDK's exceptions into Baton's, keeping the API key out of every message. */
final class OpenAIErrors {
    private OpenAIErrors() {}

    static RuntimeException translate(RuntimeException e, OpenAISettings settings) {
        @Nullable String apiKey = settings.apiKey();
        Duration timeout = settings.timeout();
        if (e instanceof OpenAIServiceException service) {
            JsonNode body = body(service);
            JsonNode error = body.has("error") && body.get("error").isObject() ? body.get("error") : body;
            String message = ChatCompletionsResponses.text(error.get("message"));
            if (message == null) {
                message = body.isMissingNode() || body.isNull() ? "" : body.isTextual() ? body.asText() : body.toString();
            }
            // From the body, not service.type()/code(): those throw when the server left a field out.
            String type = ChatCompletionsResponses.text(error.get("type"));
            String code = ChatCompletionsResponses.text(error.get("code"));
            // No cause: the SDK's message may quote the response body, which could echo the key.
            return new OpenAIRequestFailed(service.statusCode(), scrub(message, apiKey),
                    type == null ? null : scrub(type, apiKey), code == null ? null : scrub(code, apiKey));
        }
        if (e instanceof OpenAIException || e instanceof java.io.UncheckedIOException) {
            if (!Thread.currentThread().isInterrupted() && causedByTimeout(e)) {
                return new OpenAICallTimedOut(timeout, e);
            }
            // The cause in words (refused, unknown host, TLS), not the SDK's "Request failed".
            Fault fault = Fault.of(e, settings.baseUrl());
            return new OpenAICallFailed("OpenAI call failed: " + scrub(fault.detail(), apiKey), e, fault.retryable());
        }
        return e;
    }

    private static JsonNode body(OpenAIServiceException service) {
        try {
            return ObjectMappers.jsonMapper().valueToTree(service.body());
        } catch (RuntimeException unreadable) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    private static boolean causedByTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedIOException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    static String scrub(String text, @Nullable String apiKey) {
        return apiKey == null || apiKey.isEmpty() ? text : text.replace(apiKey, "***");
    }
}
