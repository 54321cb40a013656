package dev.baton.schema;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.UserError;
import dev.baton.internal.Schemas;
import dev.baton.tool.ToolContext;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Binds the JSON arguments a model wrote to Java values, checked against the same rules as the
 * strict schema Baton generated for them. Every failure is an
 * {@link InvalidArgumentsException} whose message the model can act on, such as
 * {@code missing required property 'invoice_id'} or {@code property 'priority' must be one of
 * [LOW, MEDIUM, HIGH]}; messages use JSON names and dotted paths ({@code customer.email}), never
 * Java class names.
 *
 * <p>Binding is strict where the schema is (unknown properties, wrong types and nulls for
 * non-nullable values are rejected) and lenient in one way: a nullable property the model left
 * out binds to null, or to {@code Optional.empty()}.
 */
public final class JsonArguments {
    static {
        Schemas.install(new Schemas.Access() {
            @Override
            public ObjectNode objectSchema(Class<?> type) {
                return JsonSchemas.objectSchema(type);
            }

            @Override
            public ObjectNode valueSchema(java.lang.reflect.Type type) {
                return JsonSchemas.valueSchema(type);
            }

            @Override
            public ObjectNode parametersSchema(java.lang.reflect.Method method) {
                return JsonSchemas.parametersSchema(method);
            }

            @Override
            public com.fasterxml.jackson.databind.ObjectMapper mapper() {
                return JsonSchemas.mapper();
            }

            @Override
            public String toSnakeCase(String javaName) {
                return JsonSchemas.toSnakeCase(javaName);
            }
        });
    }

    /** Jackson's "[Source: ...; line: 1, column: 1]" inside a message, which names Java features. */
    private static final Pattern SOURCE_LOCATION = Pattern.compile("\\[Source: [^\\]]*?line: (\\d+), column: (\\d+)\\]");

    /** Reads trees; trailing text is reported by {@link #parseObject} itself, with a plainer message. */
    private static final com.fasterxml.jackson.databind.ObjectReader TREE_READER =
            JsonSchemas.mapper().reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonArguments() {}

    /**
     * Parses {@code json} and binds it to the record or class {@code type}. Empty text binds to
     * an instance of a type without properties.
     *
     * @throws InvalidArgumentsException if the arguments are malformed or do not fit {@code type}
     * @throws UserError if {@code type} cannot be described by a strict schema
     */
    public static <T> T bind(String json, Class<T> type) {
        Objects.requireNonNull(type, "type");
        JavaType javaType = JsonSchemas.requireObjectType(type);
        List<TypeModel.Property> properties = TypeModel.properties(javaType);
        ObjectNode tree = parseObject(json, properties.isEmpty());
        new ArgumentChecker(json).checkObject(tree, properties, "");
        return convert(tree, javaType, "", json);
    }

    /**
     * Parses {@code json}, a JSON object whose only property is {@code property}, and binds that
     * property's value to {@code type} (an enum, a list, a scalar or a record). Used for
     * structured outputs that are not objects, which providers require to be wrapped in one.
     *
     * @throws InvalidArgumentsException if the text is malformed or the value does not fit
     */
    public static Object bindWrapped(String json, java.lang.reflect.Type type, String property) {
        JavaType javaType = TypeModel.javaType(type);
        TypeModel.requireSupported(javaType);
        ObjectNode tree = parseObject(json, false);
        JsonNode value = tree.get(property);
        if (value == null) {
            throw new InvalidArgumentsException("missing required property '" + property + "'", json);
        }
        if (tree.size() != 1) {
            java.util.List<String> extra = new java.util.ArrayList<>();
            tree.fieldNames().forEachRemaining(n -> {
                if (!n.equals(property)) {
                    extra.add(n);
                }
            });
            throw new InvalidArgumentsException("unknown property '" + extra.get(0) + "' (expected: " + property + ")", json);
        }
        if (value.isNull()) {
            throw new InvalidArgumentsException("property '" + property + "' must not be null", json);
        }
        return convert(value, javaType, property, json);
    }

    /**
     * Parses {@code json} and binds it to the parameters of {@code method}, in order; a
     * {@link ToolContext} parameter receives {@code context}.
     *
     * @throws InvalidArgumentsException if the arguments are malformed or do not fit the parameters
     * @throws UserError if a parameter's type cannot be described by a strict schema
     */
    public static Object[] bindParameters(String json, Method method, ToolContext<?> context) {
        Objects.requireNonNull(method, "method");
        TypeModel.requireSupported(method);
        List<TypeModel.Property> properties = TypeModel.parameters(method);
        ObjectNode tree = parseObject(json, properties.isEmpty());
        new ArgumentChecker(json).checkObject(tree, properties, "");

        Parameter[] parameters = method.getParameters();
        Object[] values = new Object[parameters.length];
        int next = 0;
        for (int i = 0; i < parameters.length; i++) {
            if (TypeModel.isToolContext(parameters[i])) {
                values[i] = context;
            } else {
                TypeModel.Property property = properties.get(next++);
                values[i] = convert(tree.get(property.name()), property.type(), property.name(), json);
            }
        }
        return values;
    }

    /**
     * Whether {@code json} is one well-formed JSON object and nothing else: what a tool's
     * arguments must be before any code, an approval policy included, may read them.
     */
    public static boolean isObject(@Nullable String json) {
        try {
            parseObject(json, false);
            return true;
        } catch (InvalidArgumentsException e) {
            return false;
        }
    }

    /** The arguments as a JSON object; blank text counts as {@code {}} only when nothing is required. */
    private static ObjectNode parseObject(@Nullable String json, boolean noProperties) {
        String raw = json == null ? "" : json;
        if (raw.isBlank()) {
            if (noProperties) {
                return JsonSchemas.mapper().createObjectNode();
            }
            throw new InvalidArgumentsException("arguments are empty; expected a JSON object", raw);
        }
        JsonNode tree;
        try (JsonParser parser = JsonSchemas.mapper().createParser(raw)) {
            tree = TREE_READER.readTree(parser);
            if (parser.nextToken() != null) {
                throw new InvalidArgumentsException("arguments are not valid JSON: unexpected text after the end of the"
                        + " object" + at(parser.currentTokenLocation()), raw);
            }
        } catch (JacksonException e) {
            throw new InvalidArgumentsException("arguments are not valid JSON: " + parseMessage(e.getOriginalMessage())
                    + at(e.getLocation()), raw, e);
        } catch (java.io.IOException e) {
            throw new InvalidArgumentsException("arguments could not be read", raw, e);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new InvalidArgumentsException("arguments are empty; expected a JSON object", raw);
        }
        if (!tree.isObject()) {
            throw new InvalidArgumentsException("arguments must be a JSON object, not " + describe(tree), raw);
        }
        return (ObjectNode) tree;
    }

    /** Binds a checked tree; Jackson failures left at this point are values the checks cannot see. */
    private static <T> T convert(@Nullable JsonNode node, JavaType type, String path, String raw) {
        if (node == null || node.isNull()) {
            @SuppressWarnings("unchecked")
            T empty = (T) (type.hasRawClass(Optional.class) ? Optional.empty() : null);
            return empty;
        }
        try {
            return JsonSchemas.mapper().treeToValue(node, type);
        } catch (InvalidDefinitionException e) {
            throw new UserError("Cannot bind arguments to " + type.toCanonical() + ": " + e.getOriginalMessage(), e);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            String where = pathOf(path, e);
            String reason = cause instanceof IllegalArgumentException && cause.getMessage() != null
                    ? cause.getMessage()
                    : "the value was rejected";
            throw new InvalidArgumentsException((where.isEmpty() ? "arguments are invalid: " : "property '" + where
                    + "' is invalid: ") + reason, raw, e);
        } catch (DatabindException e) {
            String where = pathOf(path, e);
            throw new InvalidArgumentsException(where.isEmpty() ? "arguments are invalid" : "property '" + where
                    + "' has an invalid value", raw, e);
        } catch (JacksonException e) {
            throw new InvalidArgumentsException(path.isEmpty() ? "arguments are invalid" : "property '" + path
                    + "' has an invalid value", raw, e);
        }
    }

    private static String pathOf(String prefix, DatabindException e) {
        StringBuilder out = new StringBuilder(prefix);
        if (e instanceof JsonMappingException mapping) {
            for (JsonMappingException.Reference ref : mapping.getPath()) {
                if (ref.getFieldName() != null) {
                    out.append(out.isEmpty() ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    out.append('[').append(ref.getIndex()).append(']');
                }
            }
        }
        return out.toString();
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String at(@Nullable JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " at line " + location.getLineNr() + " column " + location.getColumnNr();
    }

    /** Jackson's parse message, on one line and without its description of the input source. */
    private static String parseMessage(@Nullable String message) {
        if (message == null) {
            return "malformed input";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return SOURCE_LOCATION.matcher(line).replaceAll("line $1 column $2").replace('`', '\'');
    }
}
