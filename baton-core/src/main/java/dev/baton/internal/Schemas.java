package dev.baton.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.schema.JsonArguments;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import org.jspecify.annotations.Nullable;

/**
 * Not API. The strict JSON schemas and the JSON mapper of {@code dev.baton.schema}, for Baton's
 * packages that describe tools, handoff inputs and outputs to a model or write JSON the way the
 * runner does. The generator is package-private there; {@link JsonArguments}, the package's public
 * class, installs this access when its class initialises.
 */
public final class Schemas {

    /** Implemented by {@code dev.baton.schema} only. */
    public interface Access {
        ObjectNode objectSchema(Class<?> type);

        ObjectNode valueSchema(Type type);

        ObjectNode parametersSchema(Method method);

        ObjectMapper mapper();

        String toSnakeCase(String javaName);
    }

    private static volatile @Nullable Access access;

    private Schemas() {}

    /** Called once, by {@code JsonArguments}' static initialiser; later calls are refused. */
    public static synchronized void install(Access implementation) {
        access = Accessors.once(access, implementation, JsonArguments.class);
    }

    /**
     * The strict object schema of a record or class (a fresh copy).
     *
     * @throws dev.baton.UserError if {@code type} is not a record or class with properties, or one
     *     of its properties has a type a strict schema cannot describe
     */
    public static ObjectNode objectSchema(Class<?> type) {
        return access().objectSchema(type);
    }

    /** The strict schema of any value type: a string, number, list, enum or object (a fresh copy). */
    public static ObjectNode valueSchema(Type type) {
        return access().valueSchema(type);
    }

    /** The strict object schema of a method's parameters, one property per parameter (a fresh copy). */
    public static ObjectNode parametersSchema(Method method) {
        return access().parametersSchema(method);
    }

    /** The mapper that binds model-written arguments and writes tool results; shared, do not reconfigure. */
    public static ObjectMapper mapper() {
        return access().mapper();
    }

    /** A Java name in snake_case: {@code invoiceId} becomes {@code invoice_id}. */
    public static String toSnakeCase(String javaName) {
        return access().toSnakeCase(javaName);
    }

    private static Access access() {
        return Accessors.get(access, () -> access, JsonArguments.class);
    }
}
