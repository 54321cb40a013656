package dev.baton.schema;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a parsed argument tree against the declared Java types before Jackson binds it, so every
 * mistake is reported in the model's terms (JSON names, dotted paths, what was expected) rather
 * than Jackson's. Only the tree can tell a missing property from an explicit null, which is why
 * this runs before binding.
 *
 * <p>It also normalises the tree for binding: a missing nullable property becomes an explicit
 * null, and a whole number written as {@code 3.0} becomes {@code 3}.
 */
final class ArgumentChecker {

    private static final Map<Class<?>, long[]> INTEGER_RANGES = Map.of(
            byte.class, new long[] {Byte.MIN_VALUE, Byte.MAX_VALUE},
            Byte.class, new long[] {Byte.MIN_VALUE, Byte.MAX_VALUE},
            short.class, new long[] {Short.MIN_VALUE, Short.MAX_VALUE},
            Short.class, new long[] {Short.MIN_VALUE, Short.MAX_VALUE},
            int.class, new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE},
            Integer.class, new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE},
            long.class, new long[] {Long.MIN_VALUE, Long.MAX_VALUE},
            Long.class, new long[] {Long.MIN_VALUE, Long.MAX_VALUE});

    private final String rawArguments;

    ArgumentChecker(String rawArguments) {
        this.rawArguments = rawArguments;
    }

    /** Checks the properties of one JSON object; {@code path} is empty at the top level. */
    void checkObject(ObjectNode object, List<TypeModel.Property> properties, String path) {
        Set<String> declared = properties.stream().map(TypeModel.Property::name).collect(Collectors.toSet());
        List<String> unknown = new ArrayList<>();
        object.fieldNames().forEachRemaining(name -> {
            if (!declared.contains(name)) {
                unknown.add(join(path, name));
            }
        });
        if (!unknown.isEmpty()) {
            String expected = properties.isEmpty()
                    ? "this object takes no properties"
                    : "expected: " + properties.stream().map(TypeModel.Property::name).collect(Collectors.joining(", "));
            throw invalid((unknown.size() == 1 ? "unknown property " : "unknown properties ") + quoted(unknown)
                    + " (" + expected + ")");
        }
        List<String> missing = new ArrayList<>();
        for (TypeModel.Property property : properties) {
            if (!object.has(property.name()) && !property.nullable()) {
                missing.add(join(path, property.name()));
            }
        }
        if (!missing.isEmpty()) {
            throw invalid((missing.size() == 1 ? "missing required property " : "missing required properties ")
                    + quoted(missing));
        }
        for (TypeModel.Property property : properties) {
            JsonNode value = object.get(property.name());
            if (value == null) {
                // Lenient on absence of a nullable value, and explicit so creators see every parameter.
                object.putNull(property.name());
            } else {
                object.set(property.name(), checkValue(value, property.type(), join(path, property.name()), property.nullable()));
            }
        }
    }

    private JsonNode checkValue(JsonNode node, JavaType type, String path, boolean nullable) {
        TypeModel.Kind kind = TypeModel.kind(type);
        if (node.isNull()) {
            if (nullable || kind == TypeModel.Kind.OPTIONAL) {
                return node;
            }
            throw invalid("property '" + path + "' must not be null");
        }
        Class<?> raw = type.getRawClass();
        return switch (kind) {
            case OPTIONAL -> checkValue(node, TypeModel.contentType(type), path, true);
            case BOOLEAN -> {
                if (!node.isBoolean()) {
                    throw invalid("property '" + path + "' must be a boolean");
                }
                yield node;
            }
            case INTEGER -> checkInteger(node, raw, path);
            case NUMBER -> {
                if (!node.isNumber()) {
                    throw invalid("property '" + path + "' must be a number");
                }
                yield node;
            }
            case STRING -> checkText(node, raw, path);
            case ENUM -> {
                List<JsonNode> values = TypeModel.enumValues(raw);
                if (!values.contains(node)) {
                    throw invalid("property '" + path + "' must be one of "
                            + values.stream().map(JsonNode::asText).collect(Collectors.joining(", ", "[", "]")));
                }
                yield node;
            }
            case ARRAY -> {
                if (!node.isArray()) {
                    throw invalid("property '" + path + "' must be an array");
                }
                ArrayNode array = (ArrayNode) node;
                JavaType element = TypeModel.contentType(type);
                for (int i = 0; i < array.size(); i++) {
                    array.set(i, checkValue(array.get(i), element, path + "[" + i + "]", false));
                }
                yield array;
            }
            case OBJECT -> {
                if (!node.isObject()) {
                    throw invalid("property '" + path + "' must be an object");
                }
                checkObject((ObjectNode) node, TypeModel.properties(type), path);
                yield node;
            }
            // Unsupported types are rejected when the schema is built or binding starts.
            case UNSUPPORTED -> node;
        };
    }

    private JsonNode checkInteger(JsonNode node, Class<?> raw, String path) {
        JsonNode value = node;
        if (node.isFloatingPointNumber() && node.canConvertToExactIntegral()) {
            value = JsonNodeFactory.instance.numberNode(node.decimalValue().toBigIntegerExact());
        }
        if (!value.isIntegralNumber()) {
            throw invalid("property '" + path + "' must be an integer");
        }
        long[] range = INTEGER_RANGES.get(raw);
        if (range != null) {
            BigInteger v = value.bigIntegerValue();
            if (v.compareTo(BigInteger.valueOf(range[0])) < 0 || v.compareTo(BigInteger.valueOf(range[1])) > 0) {
                throw invalid("property '" + path + "' must be an integer from " + range[0] + " to " + range[1]);
            }
        }
        return value;
    }

    private JsonNode checkText(JsonNode node, Class<?> raw, String path) {
        TypeModel.TextType text = TypeModel.TEXT_TYPES.get(raw);
        if (!node.isTextual()) {
            throw invalid("property '" + path + "' must be " + text.expected());
        }
        try {
            text.parser().apply(node.asText());
        } catch (RuntimeException e) {
            throw invalid("property '" + path + "' must be " + text.expected());
        }
        return node;
    }

    InvalidArgumentsException invalid(String message) {
        return new InvalidArgumentsException(message, rawArguments);
    }

    static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String quoted(List<String> names) {
        return names.stream().map(name -> "'" + name + "'").collect(Collectors.joining(", "));
    }
}
