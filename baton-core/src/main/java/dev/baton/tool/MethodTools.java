package dev.baton.tool;

import dev.baton.UserError;
import dev.baton.internal.Schemas;
import dev.baton.schema.JsonArguments;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Builds tools from the {@link ToolMethod}-annotated methods of an object, for {@link Tool#fromMethods}. */
final class MethodTools {

    private MethodTools() {}

    /**
     * One tool per public {@link ToolMethod} method of {@code target}'s class (inherited ones
     * included, static ones too), sorted by tool name since reflection gives no reliable order.
     */
    static <C> List<Tool<C>> from(Object target) {
        Objects.requireNonNull(target, "target");
        Class<?> type = target.getClass();
        rejectNonPublic(type);
        List<Method> methods = Arrays.stream(type.getMethods())
                .filter(m -> m.isAnnotationPresent(ToolMethod.class) && !m.isBridge() && !m.isSynthetic())
                .toList();
        if (methods.isEmpty()) {
            throw new UserError(type.getName() + " has no @ToolMethod methods");
        }
        Map<String, Method> byName = new HashMap<>();
        List<Tool<C>> tools = new ArrayList<>();
        for (Method method : methods) {
            String name = toolName(method);
            Method clash = byName.putIfAbsent(name, method);
            if (clash != null) {
                throw new UserError("Two @ToolMethod methods of " + type.getName() + " have the tool name '" + name
                        + "': " + signature(clash) + " and " + signature(method) + "; give one a different name");
            }
            tools.add(toTool(target, method, name));
        }
        tools.sort(Comparator.comparing(Tool::name));
        return List.copyOf(tools);
    }

    private static <C> Tool<C> toTool(Object target, Method method, String name) {
        @Nullable Object receiver = Modifier.isStatic(method.getModifiers()) ? null : target;
        makeAccessible(method, receiver);
        ToolMethod annotation = method.getAnnotation(ToolMethod.class);
        ToolInvoker<C> invoker = (context, json) -> invoke(method, receiver, JsonArguments.bindParameters(json, method, context));
        return Tool.<C>builder(name)
                .description(annotation.description())
                .parameters(Schemas.parametersSchema(method))
                .invoker(invoker)
                .build();
    }

    /** Calls the method so that what it throws reaches the runner as itself, not wrapped in reflection's exception. */
    private static Object invoke(Method method, @Nullable Object receiver, Object[] arguments) throws Exception {
        try {
            Object result = method.invoke(receiver, arguments);
            // A void tool still answers the model; the empty output says it completed.
            return method.getReturnType() == void.class ? "" : result;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private static String toolName(Method method) {
        String explicit = method.getAnnotation(ToolMethod.class).name();
        return explicit.isBlank() ? Schemas.toSnakeCase(method.getName()) : explicit;
    }

    /** A class may hold objects the runner cannot reach, e.g. a private nested class: open its methods. */
    private static void makeAccessible(Method method, @Nullable Object receiver) {
        if (method.canAccess(receiver)) {
            return;
        }
        if (!method.trySetAccessible()) {
            throw new UserError("Cannot call @ToolMethod " + signature(method) + ": its class is not accessible to Baton;"
                    + " make it public or open its package to dev.baton");
        }
    }

    /** An annotated method that is not public would be silently ignored; say so instead. */
    private static void rejectNonPublic(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method method : c.getDeclaredMethods()) {
                if (method.isAnnotationPresent(ToolMethod.class) && !Modifier.isPublic(method.getModifiers())) {
                    throw new UserError("@ToolMethod " + signature(method) + " must be public");
                }
            }
        }
    }

    private static String signature(Method method) {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName()
                + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName)
                        .collect(java.util.stream.Collectors.joining(", ", "(", ")"));
    }
}
