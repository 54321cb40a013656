package dev.baton.internal;

import dev.baton.BatonException;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Not API. Lets the runner attach a failed run's data to a {@link BatonException} without a
 * public mutator on the exception: {@code BatonException} installs the only writer when its
 * class initialises, which is before any instance can reach {@link #attach}.
 */
public final class RunFailures {
    private static volatile @Nullable BiConsumer<BatonException, BatonException.RunData> writer;

    private RunFailures() {}

    /** Called once, by {@code BatonException}'s class initialiser; later calls are refused. */
    public static synchronized void install(BiConsumer<BatonException, BatonException.RunData> w) {
        if (writer != null) {
            throw new IllegalStateException("the run data writer is installed by BatonException only");
        }
        writer = w;
    }

    /** Records what the failed run had produced, if nothing was recorded on {@code e} before. */
    public static void attach(BatonException e, BatonException.RunData data) {
        BiConsumer<BatonException, BatonException.RunData> w = writer;
        if (w == null) {
            throw new IllegalStateException("BatonException is not initialised");
        }
        w.accept(e, data);
    }
}
