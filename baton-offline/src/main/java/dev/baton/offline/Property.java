package dev.baton.offline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One property of an object schema, as the offline model needs it: name, JSON type, enum values,
 * description, and whether it may be left out (not required, or nullable).
 */
record Property(String name, String type, List<String> enumValues, String description, boolean optional, JsonNode schema) {

    /** The properties of {@code schema} (an object schema), {@code $ref}s into {@code $defs} resolved. */
    static List<Property> of(JsonNode schema, JsonNode root) {
        Set<String> required = new HashSet<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        List<Property> out = new ArrayList<>();
        var fields = schema.path("properties").fields();
        while (fields.hasNext()) {
            var field = fields.next();
            JsonNode node = resolve(field.getValue(), root);
            boolean nullable = false;
            String type = "string";
            JsonNode typeNode = node.path("type");
            if (typeNode.isArray()) {
                for (JsonNode t : typeNode) {
                    if (t.asText().equals("null")) {
                        nullable = true;
                    } else {
                        type = t.asText();
                    }
                }
            } else if (typeNode.isTextual()) {
                type = typeNode.asText();
            }
            if (node.has("anyOf")) {
                for (JsonNode alternative : node.get("anyOf")) {
                    JsonNode resolved = resolve(alternative, root);
                    if (resolved.path("type").asText().equals("null")) {
                        nullable = true;
                    } else {
                        node = resolved;
                        type = resolved.path("type").asText(type);
                    }
                }
            }
            List<String> values = new ArrayList<>();
            node.path("enum").forEach(v -> {
                if (!v.isNull()) {
                    values.add(v.asText());
                }
            });
            String description = field.getValue().path("description").asText(node.path("description").asText(""));
            out.add(new Property(field.getKey(), type, List.copyOf(values), description,
                    nullable || !required.contains(field.getKey()), node));
        }
        return List.copyOf(out);
    }

    private static JsonNode resolve(JsonNode node, JsonNode root) {
        String ref = node.path("$ref").asText("");
        if (ref.startsWith("#/")) {
            JsonNode target = root.at(ref.substring(1));
            return target.isMissingNode() ? node : target;
        }
        return node;
    }

    /** Name and description, as words, for matching hints. */
    String words() {
        return name.replace('_', ' ') + " " + description;
    }

    /** True when the property's name or description contains one of {@code hints} as a word. */
    boolean hints(String... hints) {
        List<String> words = Words.tokens(words());
        for (String hint : hints) {
            if (words.contains(hint)) {
                return true;
            }
        }
        return false;
    }
}
