package dev.baton.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** MCP tool schemas and names as Baton's tools take them. */
final class McpSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NOT_IN_NAME = Pattern.compile("[^a-zA-Z0-9_-]");

    private McpSchemas() {}

    /** The server's schema as it is; an object schema with no properties gets an empty {@code properties}. */
    static ObjectNode input(@Nullable Map<String, Object> schema) {
        ObjectNode node = schema == null ? JSON.createObjectNode() : JSON.valueToTree(schema);
        if (!node.has("type")) {
            node.put("type", "object");
        }
        if ("object".equals(node.path("type").asText()) && !node.has("properties")) {
            node.putObject("properties");
        }
        return node;
    }

    static @Nullable ObjectNode output(@Nullable Map<String, Object> schema) {
        return schema == null ? null : JSON.valueToTree(schema);
    }

    /**
     * Whether the schema can be sent in the model's strict mode as it is: every object closes its
     * properties ({@code additionalProperties: false}) and requires all of them. Strict mode would
     * otherwise reject the schema or change what it means, so such a tool is sent non-strict.
     */
    static boolean strictAsIs(JsonNode schema) {
        if (schema.isArray()) {
            for (JsonNode item : schema) {
                if (!strictAsIs(item)) {
                    return false;
                }
            }
            return true;
        }
        if (!schema.isObject()) {
            return true;
        }
        JsonNode properties = schema.get("properties");
        if (properties != null && properties.isObject()) {
            JsonNode additional = schema.get("additionalProperties");
            if (additional == null || !additional.isBoolean() || additional.asBoolean()) {
                return false;
            }
            Set<String> required = new HashSet<>();
            schema.path("required").forEach(r -> required.add(r.asText()));
            for (Iterator<String> it = properties.fieldNames(); it.hasNext(); ) {
                if (!required.contains(it.next())) {
                    return false;
                }
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getKey().equals("enum") && !field.getKey().equals("const") && !field.getKey().equals("default")
                    && !field.getKey().equals("examples") && !strictAsIs(field.getValue())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The name the model sees: the prefix and the server's name, with every character a model's
     * function name cannot hold replaced by {@code _}.
     */
    static String offeredName(String prefix, String name) {
        return NOT_IN_NAME.matcher(prefix + name).replaceAll("_");
    }
}
