package dev.baton.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Tracing (helpers for the processors an application owns)")
class TracingTest {

    static TraceProcessor broken() {
        return new TraceProcessor() {
            @Override public void onTraceStart(Trace trace) {}
            @Override public void onTraceEnd(Trace trace) {}
            @Override public void onSpanStart(Span span) {}
            @Override public void onSpanEnd(Span span) {}
            @Override public void forceFlush() { throw new IllegalStateException("boom"); }
            @Override public void shutdown() { throw new IllegalStateException("boom"); }
        };
    }

    @Test
    void flush_and_shutdown_reach_every_processor_even_past_a_failing_one() {
        RecordingProcessor rec = new RecordingProcessor();
        List<TraceProcessor> processors = List.of(broken(), rec);

        Tracing.flush(processors);
        Tracing.shutdown(processors);

        assertThat(rec.flushes).isEqualTo(1);
        assertThat(rec.shutdowns).isEqualTo(1);
    }

    @Test
    void closing_a_processor_shuts_it_down_so_it_fits_try_with_resources() {
        RecordingProcessor rec = new RecordingProcessor();

        try (TraceProcessor p = rec) {
            p.forceFlush();
        }

        assertThat(rec.flushes).isEqualTo(1);
        assertThat(rec.shutdowns).isEqualTo(1);
    }

    @Test
    void the_environment_can_disable_tracing_at_start_up() {
        assertThat(Tracing.disabledByEnvironment(null, null)).isFalse();
        assertThat(Tracing.disabledByEnvironment("true", null)).isTrue();
        assertThat(Tracing.disabledByEnvironment(null, "1")).isTrue();
        assertThat(Tracing.disabledByEnvironment("false", "0")).isFalse();
    }
}
