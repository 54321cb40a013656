package dev.baton.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The global tracing setup: the processors that runs report to, and an off switch. Thread-safe.
 *
 * <p>There are no processors by default, so a run creates no spans until the application registers
 * one:
 *
 * <pre>{@code
 * Tracing.addProcessor(BatchTraceProcessor.builder(new ConsoleTraceExporter()).build());
 * }</pre>
 *
 * <p>{@link #setDisabled(boolean) setDisabled(true)} turns tracing off for every run, and so does
 * the system property {@code baton.tracing.disabled=true} or the environment variable {@code
 * BATON_TRACING_DISABLED=true} (or {@code 1}) at start-up. A single run is left untraced with {@code
 * RunOptions.withTracingDisabled(true)}.
 *
 * <p>When the first processor is registered, a JVM shutdown hook is added that calls {@link
 * #shutdown()}, so that batched spans are exported when the application exits.
 */
public final class Tracing {
    private static final Object lock = new Object();
    private static final AtomicBoolean hookInstalled = new AtomicBoolean();
    private static volatile List<TraceProcessor> processors = List.of();
    private static volatile boolean disabled = disabledByEnvironment(
            System.getProperty("baton.tracing.disabled"), System.getenv("BATON_TRACING_DISABLED"));

    private Tracing() {}

    /** Replaces the registered processors. The old ones are not shut down; runs already going on keep reporting to them. */
    public static void setProcessors(List<TraceProcessor> newProcessors) {
        List<TraceProcessor> copy = List.copyOf(newProcessors);
        synchronized (lock) {
            processors = copy;
        }
        if (!copy.isEmpty()) {
            installShutdownHook();
        }
    }

    /** Adds a processor after the registered ones. */
    public static void addProcessor(TraceProcessor processor) {
        Objects.requireNonNull(processor, "processor");
        synchronized (lock) {
            List<TraceProcessor> copy = new ArrayList<>(processors);
            copy.add(processor);
            processors = List.copyOf(copy);
        }
        installShutdownHook();
    }

    /** The registered processors, in order; an immutable snapshot. */
    public static List<TraceProcessor> processors() {
        return processors;
    }

    /** Turns tracing off (or back on) for every run that starts afterwards. */
    public static void setDisabled(boolean value) {
        disabled = value;
    }

    /** Whether tracing is off for every run. */
    public static boolean isDisabled() {
        return disabled;
    }

    /**
     * Whether a run should be traced: tracing is on and someone listens. The runner checks this
     * before it creates a {@link Tracer}, so an untraced run costs nothing.
     */
    public static boolean isActive() {
        return !disabled && !processors.isEmpty();
    }

    /** Asks every registered processor to export what it has buffered, and waits for them. */
    public static void flush() {
        Processors.forceFlush(processors);
    }

    /** Shuts every registered processor down (each flushes first). They stay registered, and ignore what is reported afterwards. */
    public static void shutdown() {
        Processors.shutdown(processors);
    }

    static boolean disabledByEnvironment(@Nullable String property, @Nullable String env) {
        return isTrue(property) || isTrue(env);
    }

    private static boolean isTrue(@Nullable String value) {
        if (value == null) {
            return false;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        return v.equals("true") || v.equals("1") || v.equals("yes");
    }

    private static void installShutdownHook() {
        if (hookInstalled.compareAndSet(false, true)) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(Tracing::shutdown, "baton-tracing-shutdown"));
            } catch (IllegalStateException | SecurityException e) {
                // The JVM is already shutting down, or hooks are not allowed: nothing to flush on exit then.
            }
        }
    }
}
