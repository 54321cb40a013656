package dev.baton.trace;

/**
 * Receives traces and spans as they start and end. Give processors to a runner with {@code
 * RunConfig.Builder.traceProcessor}; every traced run of that runner reports to all of them, from the
 * threads the run uses (a run's own thread, and the virtual threads of concurrent tool calls).
 *
 * <p>The runner never shuts a processor down, since one processor often serves several runners:
 * whoever made it closes it ({@link #close()} is {@link #shutdown()}), or hands it to {@link
 * Tracing#shutdownOnExit}.
 *
 * <p>Implementations must be thread-safe, should return quickly (queue work rather than do I/O on
 * the caller's thread, as {@link BatchTraceProcessor} does), and must not throw. A processor that
 * throws anyway is logged once and ignored: tracing never fails a run.
 */
public interface TraceProcessor extends AutoCloseable {

    /** A run started. */
    void onTraceStart(Trace trace);

    /** A run ended; {@link Trace#endedAt()} is set. */
    void onTraceEnd(Trace trace);

    /** A span started; it has no end time yet. */
    void onSpanStart(Span span);

    /** A span ended; {@link Span#endedAt()} is set, and {@link Span#error()} if it failed. */
    void onSpanEnd(Span span);

    /** Exports whatever is buffered and waits until it has been handed over. */
    default void forceFlush() {}

    /** Flushes and releases resources. Later calls are ignored; so is anything reported afterwards. */
    default void shutdown() {}

    /** Same as {@link #shutdown()}, so that a processor fits try-with-resources. */
    @Override
    default void close() {
        shutdown();
    }
}
