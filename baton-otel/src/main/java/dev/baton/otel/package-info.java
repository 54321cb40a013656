/**
 * OpenTelemetry for Baton: {@link dev.baton.otel.OpenTelemetryTraceProcessor} reports runs as
 * OpenTelemetry spans that follow the GenAI semantic conventions.
 */
@NullMarked
package dev.baton.otel;

import org.jspecify.annotations.NullMarked;
