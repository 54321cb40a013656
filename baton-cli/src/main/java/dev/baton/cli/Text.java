package dev.baton.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jspecify.annotations.Nullable;

/** Small text helpers for console output: one-line values, shortening, JSON. */
final class Text {
    static final ObjectMapper JSON = new ObjectMapper();

    private Text() {}

    /** {@code s} on one line, cut to {@code max} characters. */
    static String oneLine(@Nullable String s, int max) {
        if (s == null) {
            return "";
        }
        String line = s.strip().replaceAll("\\s*\\R\\s*", " ");
        return line.length() <= max ? line : line.substring(0, max - 1) + "…";
    }

    /** The first line of an exception's message, or its type when it has none. */
    static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return m.strip().lines().findFirst().orElse(m).strip();
    }

    /** A value as compact JSON; its text if Jackson cannot write it. */
    static String json(@Nullable Object value) {
        if (value == null) {
            return "null";
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return String.valueOf(value);
        }
    }

    /** Parses JSON text; a text node holding the input when it is not JSON. */
    static JsonNode tree(@Nullable String json) {
        if (json == null) {
            return JSON.getNodeFactory().nullNode();
        }
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }

    /** A JSON value for display: strings without quotes, anything else as compact JSON. */
    static String display(@Nullable JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "";
        }
        return node.isTextual() ? node.asText() : node.toString();
    }
}
