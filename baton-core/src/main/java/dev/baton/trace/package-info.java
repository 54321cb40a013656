/**
 * Tracing: a trace per run and spans for its agents, model calls, tools, handoffs and guardrails.
 *
 * <p>The runner reports to the {@link dev.baton.trace.TraceProcessor}s in its {@code RunConfig}
 * (each runner its own; there is no global setup), through a {@link dev.baton.trace.Tracer} it creates per run. Processors
 * decide what to do with what they see: {@link dev.baton.trace.BatchTraceProcessor} queues finished
 * traces and spans for a {@link dev.baton.trace.TraceExporter} such as {@link
 * dev.baton.trace.ConsoleTraceExporter}; the {@code baton-otel} module maps them to OpenTelemetry.
 */
@NullMarked
package dev.baton.trace;

import org.jspecify.annotations.NullMarked;
