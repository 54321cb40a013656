package dev.baton.trace;

import java.util.List;

/**
 * Receives finished traces and spans in batches, from {@link BatchTraceProcessor}'s export thread.
 * Calls never overlap, so an exporter need not be thread-safe against itself. An exporter may block
 * (it is where network I/O belongs); what it throws is logged and the batch is lost.
 */
public interface TraceExporter {

    /**
     * Exports one batch. Either list may be empty. Spans usually arrive before their trace, since a
     * run ends after its spans.
     */
    void export(List<Trace> traces, List<Span> spans);

    /** Releases resources; called once, after the last export. */
    default void shutdown() {}
}
