package dev.baton.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Tracing (global setup)")
class TracingTest {

    @AfterEach
    void reset() {
        Tracing.setProcessors(List.of());
        Tracing.setDisabled(false);
    }

    @Test
    void processors_are_set_added_and_listed_in_order() {
        RecordingProcessor a = new RecordingProcessor();
        RecordingProcessor b = new RecordingProcessor();
        RecordingProcessor c = new RecordingProcessor();

        Tracing.setProcessors(List.of(a, b));
        Tracing.addProcessor(c);

        assertThat(Tracing.processors()).containsExactly(a, b, c);
        assertThatThrownBy(() -> Tracing.processors().add(a)).isInstanceOf(UnsupportedOperationException.class);
        Tracing.setProcessors(List.of(c));
        assertThat(Tracing.processors()).containsExactly(c);
    }

    @Test
    void the_global_switch_turns_tracing_off_and_on() {
        Tracing.setProcessors(List.of(new RecordingProcessor()));
        assertThat(Tracing.isDisabled()).isFalse();
        assertThat(Tracing.isActive()).isTrue();

        Tracing.setDisabled(true);

        assertThat(Tracing.isDisabled()).isTrue();
        assertThat(Tracing.isActive()).isFalse();
        Tracing.setDisabled(false);
        assertThat(Tracing.isActive()).isTrue();
        Tracing.setProcessors(List.of());
        assertThat(Tracing.isActive()).isFalse();
    }

    @Test
    void flush_and_shutdown_reach_every_processor_even_past_a_failing_one() {
        RecordingProcessor rec = new RecordingProcessor();
        TraceProcessor broken = new TraceProcessor() {
            @Override public void onTraceStart(Trace trace) {}
            @Override public void onTraceEnd(Trace trace) {}
            @Override public void onSpanStart(Span span) {}
            @Override public void onSpanEnd(Span span) {}
            @Override public void forceFlush() { throw new IllegalStateException("boom"); }
            @Override public void shutdown() { throw new IllegalStateException("boom"); }
        };
        Tracing.setProcessors(List.of(broken, rec));

        Tracing.flush();
        Tracing.shutdown();

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
