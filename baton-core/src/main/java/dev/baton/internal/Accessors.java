package dev.baton.internal;

import java.lang.invoke.MethodHandles;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * How the accessors of this package get their implementation: the owning public class installs
 * it in its static initialiser (the JDK's "shared secrets"). An accessor asked before its owner has
 * initialised initialises the owner first, so the answer cannot be null because of class
 * initialisation order; after that a call costs one field read.
 */
final class Accessors {
    private Accessors() {}

    /** Refuses a second installation: only the owner installs, once. */
    static <T> T once(@Nullable T installed, T offered, Class<?> owner) {
        if (installed != null) {
            throw new IllegalStateException("the accessor is installed by " + owner.getName() + " only");
        }
        return java.util.Objects.requireNonNull(offered, "accessor");
    }

    /**
     * The accessor {@code current} (the field's value, read by the caller: the fast path), or, when
     * it is not installed yet, the one {@code installed} reads after {@code owner} initialised.
     */
    static <T> T get(@Nullable T current, Supplier<@Nullable T> installed, Class<?> owner) {
        if (current != null) {
            return current;
        }
        initialise(owner);
        T a = installed.get();
        if (a == null) {
            throw notInstalled(owner);
        }
        return a;
    }

    /** Initialises {@code owner}, whose static initialiser installs an accessor. */
    private static void initialise(Class<?> owner) {
        try {
            MethodHandles.lookup().ensureInitialized(owner);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(owner.getName() + " cannot be initialised from dev.baton.internal", e);
        }
    }

    /** What an accessor reports when its owner initialised without installing it. */
    private static IllegalStateException notInstalled(Class<?> owner) {
        return new IllegalStateException(owner.getName() + " did not install its accessor");
    }
}
