package dev.baton.run;

import dev.baton.BatonException;
import dev.baton.CallbackFailed;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** Application code called by the loop: its failures become a {@link CallbackFailed} that names it. */
final class Callbacks {
    private Callbacks() {}

    /** Runs application code, turning its failure into a {@link CallbackFailed} that names it. */
    static <T> T call(Supplier<T> code, Supplier<String> what) {
        try {
            return code.get();
        } catch (BatonException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CallbackFailed("The " + what.get() + " failed: " + message(e), e);
        }
    }

    static <T> T nonNull(@Nullable T value) {
        if (value == null) {
            throw new NullPointerException("returned null");
        }
        return value;
    }

    /** An exception's message, or its type where it has none. */
    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
