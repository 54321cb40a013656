package dev.baton.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.internal.Schemas;
import dev.baton.schema.JsonArguments;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Objects;

/**
 * The type of an agent's structured final output: a record (sent as a strict object schema), or
 * an enum, a list or a scalar (wrapped in an object with one property, {@code response}, since
 * providers require an object at the top). The schema is built once.
 *
 * <pre>{@code
 * record TicketInfo(String ticketId, Priority priority, Category category) {}
 * Agent.<Void>builder("priority_guardrail").outputType(TicketInfo.class)...
 * }</pre>
 */
public final class OutputType<T> {
    /** The property that holds a wrapped (non-object) output. */
    public static final String WRAPPER_PROPERTY = "response";

    private final Type type;
    private final String name;
    private final boolean wrapped;
    private final ObjectNode schema;

    private OutputType(Type type, String name, boolean wrapped, ObjectNode schema) {
        this.type = type;
        this.name = name;
        this.wrapped = wrapped;
        this.schema = schema;
    }

    /**
     * The output type for a record or class (an object), or an enum or scalar (wrapped).
     *
     * @throws dev.baton.UserError if a strict schema cannot describe the type
     */
    public static <T> OutputType<T> of(Class<T> type) {
        Objects.requireNonNull(type, "type");
        if (isObject(type)) {
            return new OutputType<>(type, type.getSimpleName(), false, Schemas.objectSchema(type));
        }
        return wrapped(type, type.getSimpleName());
    }

    /** A list of {@code element}s, wrapped in an object. */
    public static <E> OutputType<List<E>> listOf(Class<E> element) {
        Type listType = new ListType(element);
        return wrapped(listType, "List<" + element.getSimpleName() + ">");
    }

    private static <T> OutputType<T> wrapped(Type type, String name) {
        ObjectNode schema = Schemas.mapper().createObjectNode();
        schema.put("type", "object");
        schema.putObject("properties").set(WRAPPER_PROPERTY, Schemas.valueSchema(type));
        schema.putArray("required").add(WRAPPER_PROPERTY);
        schema.put("additionalProperties", false);
        return new OutputType<>(type, name, true, schema);
    }

    private static boolean isObject(Class<?> type) {
        return !type.isEnum() && !type.isPrimitive() && !type.isArray() && !type.getName().startsWith("java.");
    }

    /** The Java type of the output. */
    public Type type() {
        return type;
    }

    /** A short name for messages and traces, e.g. {@code TicketInfo} or {@code List<Ticket>}. */
    public String name() {
        return name;
    }

    /** Whether the output travels wrapped in {@code {"response": ...}}. */
    public boolean wrapped() {
        return wrapped;
    }

    /** The strict schema sent to the model. Shared: do not modify it. */
    public ObjectNode schema() {
        return schema;
    }

    /**
     * The model's final text parsed into the type.
     *
     * @throws dev.baton.schema.InvalidArgumentsException if the text is not valid output of this type
     */
    @SuppressWarnings("unchecked")
    public T parse(String text) {
        if (wrapped) {
            return (T) JsonArguments.bindWrapped(text, type, WRAPPER_PROPERTY);
        }
        return JsonArguments.bind(text, (Class<T>) type);
    }

    @Override
    public String toString() {
        return "OutputType[" + name + "]";
    }

    /** {@code List<E>} as a reflective type. */
    private record ListType(Class<?> element) implements ParameterizedType {
        @Override
        public Type[] getActualTypeArguments() {
            return new Type[] {element};
        }

        @Override
        public Type getRawType() {
            return List.class;
        }

        @Override
        public Type getOwnerType() {
            return null;
        }
    }
}
