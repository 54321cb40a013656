package dev.baton.durable.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.baton.item.Item;
import dev.baton.model.Usage;
import java.util.List;
import java.util.Map;

/**
 * Not API. The JSON forms a run store keeps for the structured columns of a
 * {@link dev.baton.durable.RunRecord}: input
 * items, usage and the agent graph. Stores use these so that every store writes the same text,
 * and a journal written by one can be read by another.
 */
public final class JournalCodec {
    /**
     * The mapper of journal JSON; shared, do not reconfigure. Journals are written from runs'
     * virtual threads, where Jackson's default thread-local buffer pool would allocate fresh
     * buffers for every value, so its buffers are shared across threads instead.
     */
    public static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                    .build())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final TypeReference<List<Item>> ITEMS = new TypeReference<>() {};
    private static final TypeReference<Map<String, String>> GRAPH = new TypeReference<>() {};

    private JournalCodec() {}

    /**
     * The text as it appears inside a JSON string of a journal: what a search for it in the JSON
     * text of input items and final outputs ({@code RunQuery.withText}) looks for, so quotes,
     * backslashes and line breaks match as typed.
     */
    public static String inJsonString(String text) {
        try {
            String quoted = JSON.writeValueAsString(text);
            return quoted.substring(1, quoted.length() - 1);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write a string as JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static String items(List<Item> items) {
        try {
            // Written for the declared element type, so each item carries its type id.
            return JSON.writerFor(ITEMS).writeValueAsString(items);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write items as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** @throws IllegalArgumentException if the text is not a list of items */
    public static List<Item> items(String json) {
        return read(json, ITEMS, "a list of items");
    }

    public static String usage(Usage usage) {
        return write(usage);
    }

    /** @throws IllegalArgumentException if the text is not a usage object */
    public static Usage usage(String json) {
        return read(json, new TypeReference<Usage>() {}, "a usage object");
    }

    public static String graph(Map<String, String> graph) {
        return write(new java.util.TreeMap<>(graph));
    }

    /** @throws IllegalArgumentException if the text is not an object of agent names to fingerprints */
    public static Map<String, String> graph(String json) {
        return read(json, GRAPH, "an agent graph");
    }

    /** The JSON text of {@code value}. */
    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write " + value.getClass().getSimpleName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * {@code json} read as {@code type}.
     *
     * @throws IllegalArgumentException if the text is not {@code what}, or is null
     */
    public static <T> T read(String json, TypeReference<T> type, String what) {
        try {
            T value = JSON.readValue(json, type);
            if (value == null) {
                throw new IllegalArgumentException("expected " + what + ", found null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not " + what + ": " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Checks that {@code json} is one JSON value.
     *
     * @throws dev.baton.UserError naming {@code what} if it is not
     */
    public static void requireJson(String json, String what) {
        try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() == null) {
                throw new dev.baton.UserError(what + " must be JSON, got nothing");
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                throw new dev.baton.UserError(what + " must be one JSON value, got more after it");
            }
        } catch (java.io.IOException e) {
            throw new dev.baton.UserError(what + " must be JSON: " + e.getMessage(), e);
        }
    }
}
