package dev.baton.testing;

import org.jspecify.annotations.Nullable;

/** Closes what a conformance suite created, if it can be closed. */
final class Closing {
    private Closing() {}

    static void close(@Nullable Object resource) {
        if (resource instanceof ScriptedModel) {
            // Closing a scripted model verifies its script; the suites do not script it.
            return;
        }
        if (resource instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + resource + " after the test failed", e);
            }
        }
    }
}
