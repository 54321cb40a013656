package dev.baton.schema;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.UserError;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON schemas for tool arguments, handoff inputs and structured outputs, generated from Java
 * types in OpenAI <em>strict mode</em>: every object closed with {@code additionalProperties:
 * false}, every property listed in {@code required}, and optional values expressed as nullable
 * rather than omitted. A property is nullable when it is annotated with any {@code @Nullable} or
 * is an {@code Optional}; primitives never are. Property names are snake_case unless a
 * {@code @JsonProperty} names them, and {@link Description} supplies descriptions.
 *
 * <p>Schemas are generated once per type or method and cached; each call returns a fresh copy.
 * Types a strict schema cannot describe (maps and other free-form values, abstract types) are
 * rejected with a {@link UserError} naming the offending property.
 */
final class JsonSchemas {

    // Runs live on virtual threads: a thread-local buffer pool would allocate fresh buffers for
    // every run, so buffers are pooled across threads instead.
    private static final ObjectMapper MAPPER = JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
                    .recyclerPool(com.fasterxml.jackson.core.util.JsonRecyclerPools.sharedConcurrentDequePool())
                    .build())
            .propertyNamingStrategy(new SnakeCaseStrategy())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // 1.5 silently becoming 1 would hide a model's mistake.
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .addModule(new JdkTypesModule())
            .build();

    private static final Map<Class<?>, ObjectNode> TYPE_SCHEMAS = new ConcurrentHashMap<>();
    private static final Map<Method, ObjectNode> METHOD_SCHEMAS = new ConcurrentHashMap<>();

    private JsonSchemas() {}

    /**
     * The strict object schema of a record or class: its properties, nested records, enums and
     * lists, with recursive types expressed through {@code $defs}.
     *
     * @throws UserError if {@code type} is not a record or class with properties (a String, a
     *     number, a list, an enum, a map), or one of its properties has a type a strict schema
     *     cannot describe
     */
    static ObjectNode objectSchema(Class<?> type) {
        Objects.requireNonNull(type, "type");
        return TYPE_SCHEMAS.computeIfAbsent(type, t -> {
            requireObjectType(t);
            return SchemaFactory.objectSchema(t);
        }).deepCopy();
    }

    /**
     * The strict schema of any supported type (a record, an enum, a list, a scalar), for a value
     * held in a property of a larger schema, such as a structured output that is not an object.
     *
     * @throws UserError if the type cannot be described by a strict schema
     */
    static ObjectNode valueSchema(java.lang.reflect.Type type) {
        Objects.requireNonNull(type, "type");
        TypeModel.requireSupported(TypeModel.javaType(type));
        return SchemaFactory.valueSchema(type);
    }

    /**
     * The strict object schema of a method's parameters, one property per parameter except
     * {@code ToolContext} parameters. Names are the parameters' names in snake_case (the code
     * must be compiled with {@code -parameters}) unless {@code @JsonProperty} gives one;
     * {@link Description} on a parameter describes it.
     *
     * @throws UserError if a parameter's type cannot be described by a strict schema
     */
    static ObjectNode parametersSchema(Method method) {
        Objects.requireNonNull(method, "method");
        return METHOD_SCHEMAS.computeIfAbsent(method, m -> {
            TypeModel.requireSupported(m);
            return SchemaFactory.parametersSchema(m);
        }).deepCopy();
    }

    /**
     * The mapper Baton uses to bind model-written arguments and to serialise tool results:
     * snake_case property names, unknown properties and nulls for primitives rejected, and
     * {@code Optional} and {@code java.time} values supported. Shared: do not reconfigure it;
     * use {@link ObjectMapper#copy()} for a variant.
     */
    static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * A Java name in snake_case: {@code invoiceId} becomes {@code invoice_id}, {@code customerID}
     * {@code customer_id} and {@code HTTPStatus} {@code http_status}. Names already in
     * snake_case are unchanged. Used for property, parameter and default tool names.
     */
    static String toSnakeCase(String javaName) {
        int length = javaName.length();
        StringBuilder out = new StringBuilder(length + 4);
        for (int i = 0; i < length; i++) {
            char c = javaName.charAt(i);
            if (!Character.isUpperCase(c)) {
                out.append(c);
                continue;
            }
            if (i > 0 && out.length() > 0 && out.charAt(out.length() - 1) != '_') {
                char previous = javaName.charAt(i - 1);
                boolean wordStart = Character.isLowerCase(previous) || Character.isDigit(previous);
                // The last capital of an acronym starts the next word: HTTPStatus -> http_status.
                boolean acronymEnd = Character.isUpperCase(previous) && i + 1 < length
                        && Character.isLowerCase(javaName.charAt(i + 1));
                if (wordStart || acronymEnd) {
                    out.append('_');
                }
            }
            out.append(Character.toLowerCase(c));
        }
        return out.toString();
    }

    /** Rejects anything but a record or class with properties as an object schema's root. */
    static JavaType requireObjectType(Class<?> type) {
        JavaType javaType = TypeModel.javaType(type);
        if (TypeModel.kind(javaType) != TypeModel.Kind.OBJECT) {
            throw new UserError(type.getTypeName() + " must be a record or class with properties to be described by a JSON"
                    + " object schema (wrap a single value, list or enum in a record)");
        }
        TypeModel.requireSupported(javaType);
        return javaType;
    }

    /**
     * Jackson's naming strategy over {@link #toSnakeCase}, so the names the mapper binds are the
     * names the schemas advertise (Jackson's own SNAKE_CASE differs on acronyms).
     */
    private static final class SnakeCaseStrategy extends PropertyNamingStrategies.NamingBase {
        @Override
        public String translate(String propertyName) {
            return toSnakeCase(propertyName);
        }
    }
}
