package dev.baton.trace;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Helpers for the processors an application owns. Tracing holds no state of its own: a runner's
 * runs report to the processors in its {@code RunConfig}, and whoever made a processor shuts it down
 * (see decision 39 in {@code docs/decisions.md}).
 *
 * <pre>{@code
 * TraceProcessor processor = BatchTraceProcessor.builder(new ConsoleTraceExporter()).build();
 * Tracing.shutdownOnExit(processor);
 * Runner runner = Runner.create(RunConfig.builder().traceProcessor(processor).build());
 * }</pre>
 */
public final class Tracing {
    private Tracing() {}

    /** Asks each processor to export what it has buffered, and waits for them; failures are logged, not thrown. */
    public static void flush(List<? extends TraceProcessor> processors) {
        Processors.forceFlush(List.copyOf(processors));
    }

    /** Shuts each processor down (each flushes first); failures are logged, not thrown. */
    public static void shutdown(List<? extends TraceProcessor> processors) {
        Processors.shutdown(List.copyOf(processors));
    }

    /**
     * Shuts the processors down when the JVM exits, so that batched spans are exported, for an
     * application that has no shutdown path of its own. Each call adds one JVM shutdown hook.
     *
     * @return false if the JVM is already shutting down or hooks are not allowed: nothing will flush on exit
     */
    public static boolean shutdownOnExit(TraceProcessor... processors) {
        List<TraceProcessor> copy = List.of(processors);
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(copy), "baton-tracing-shutdown"));
            return true;
        } catch (IllegalStateException | SecurityException e) {
            return false;
        }
    }

    /**
     * Whether the operator switched tracing off for the process: the system property {@code
     * baton.tracing.disabled} or the environment variable {@code BATON_TRACING_DISABLED} is {@code
     * true}, {@code 1} or {@code yes}. It is the default of {@code RunConfig.Builder.tracingDisabled}.
     */
    public static boolean disabledByEnvironment() {
        return disabledByEnvironment(System.getProperty("baton.tracing.disabled"), System.getenv("BATON_TRACING_DISABLED"));
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
}
