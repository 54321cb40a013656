package dev.baton.runtime.internal;

import dev.baton.runtime.Handles;
import dev.baton.runtime.MessageContext;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Not API. The {@code @Handles} methods of one agent class, found once per class, by the message
 * type they take; a message finds the method for its exact class, else the one method whose
 * parameter type it is an instance of.
 */
public final class HandlerMethods {

    private static final ClassValue<HandlerMethods> BY_CLASS = new ClassValue<>() {
        @Override
        protected HandlerMethods computeValue(Class<?> type) {
            return new HandlerMethods(type);
        }
    };

    private final Map<Class<?>, Method> methods = new LinkedHashMap<>();
    private final Map<Class<?>, Optional<Method>> resolved = new ConcurrentHashMap<>();

    private HandlerMethods(Class<?> agentClass) {
        for (Class<?> c = agentClass; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(Handles.class)) {
                    add(m);
                }
            }
        }
    }

    /**
     * The handler methods of {@code agentClass}.
     *
     * @throws IllegalStateException if a {@code @Handles} method has the wrong shape, or two take the same type
     */
    public static HandlerMethods of(Class<?> agentClass) {
        return BY_CLASS.get(agentClass);
    }

    private void add(Method m) {
        Class<?>[] params = m.getParameterTypes();
        boolean shape = !Modifier.isStatic(m.getModifiers())
                && (params.length == 1 || (params.length == 2 && params[1] == MessageContext.class))
                && !params[0].isPrimitive();
        if (!shape) {
            throw new IllegalStateException("@Handles method " + m + " must be an instance method taking (Message) or (Message, MessageContext)");
        }
        if (methods.containsKey(params[0])) {
            // A subclass's override of an annotated method comes first and wins.
            if (overrides(methods.get(params[0]), m)) {
                return;
            }
            throw new IllegalStateException("two @Handles methods take " + params[0].getName() + ": "
                    + methods.get(params[0]) + " and " + m);
        }
        m.setAccessible(true);
        methods.put(params[0], m);
    }

    private static boolean overrides(Method sub, Method sup) {
        return sub.getName().equals(sup.getName()) && java.util.Arrays.equals(sub.getParameterTypes(), sup.getParameterTypes());
    }

    /** The message types with a handler method. */
    public List<Class<?>> types() {
        return List.copyOf(methods.keySet());
    }

    /**
     * The method for messages of {@code messageType}, if any.
     *
     * @throws IllegalStateException if several methods take supertypes of it and none takes it exactly
     */
    public Optional<Method> find(Class<?> messageType) {
        Optional<Method> found = resolved.get(messageType);
        if (found == null) {
            found = Optional.ofNullable(methods.get(messageType)).or(() -> assignable(messageType));
            resolved.put(messageType, found);
        }
        return found;
    }

    private Optional<Method> assignable(Class<?> messageType) {
        List<Method> candidates = new ArrayList<>();
        methods.forEach((type, m) -> {
            if (type.isAssignableFrom(messageType)) {
                candidates.add(m);
            }
        });
        if (candidates.size() > 1) {
            throw new IllegalStateException("several @Handles methods accept " + messageType.getName() + ": " + candidates);
        }
        return candidates.stream().findFirst();
    }

    /** Calls {@code method} on {@code agent}; what the method throws comes out as is. */
    public static @Nullable Object invoke(Method method, Object agent, Object message, MessageContext context) throws Throwable {
        try {
            return method.getParameterCount() == 1 ? method.invoke(agent, message) : method.invoke(agent, message, context);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
