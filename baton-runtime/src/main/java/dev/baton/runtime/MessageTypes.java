package dev.baton.runtime;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The message types a process knows by name, so an envelope's {@code type} can be read back into
 * the right class. A type's name is its {@link MessageType} annotation, or its simple class name.
 * Two classes cannot share a name.
 */
public final class MessageTypes {

    private static final ClassValue<String> NAMES = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            MessageType annotation = type.getAnnotation(MessageType.class);
            if (annotation != null) {
                if (annotation.value().isBlank()) {
                    throw new IllegalArgumentException("@MessageType of " + type.getName() + " is blank");
                }
                return annotation.value();
            }
            // Anonymous classes have no simple name.
            return type.getSimpleName().isEmpty() ? type.getName() : type.getSimpleName();
        }
    };

    private final Map<String, Class<?>> byName = new ConcurrentHashMap<>();

    /** A registry that knows no types yet. */
    public MessageTypes() {}

    /** A registry that knows {@code types}. */
    public static MessageTypes of(Class<?>... types) {
        MessageTypes registry = new MessageTypes();
        for (Class<?> type : types) {
            registry.register(type);
        }
        return registry;
    }

    /** The stable name of {@code type}: its {@link MessageType} value, or its simple name (the full name for an anonymous class). */
    public static String nameOf(Class<?> type) {
        return NAMES.get(Objects.requireNonNull(type, "type"));
    }

    /**
     * Knows {@code type} from now on; registering it again does nothing.
     *
     * @throws IllegalArgumentException if another class already has the same name
     */
    public MessageTypes register(Class<?> type) {
        String name = nameOf(type);
        Class<?> previous = byName.putIfAbsent(name, type);
        if (previous != null && previous != type) {
            throw new IllegalArgumentException("message type name '" + name + "' is taken by " + previous.getName()
                    + ", cannot also name " + type.getName() + "; give one of them another @MessageType");
        }
        return this;
    }

    /** The class registered under {@code name}, if any. */
    public Optional<Class<?>> classOf(String name) {
        return Optional.ofNullable(byName.get(name));
    }
}
