package dev.baton.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("BatchTraceProcessor")
class BatchTraceProcessorTest {

    /** Records batches; optionally blocks in its first export until released. */
    static final class RecordingExporter implements TraceExporter {
        final List<List<Object>> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release;
        final AtomicInteger shutdowns = new AtomicInteger();

        RecordingExporter(boolean blockFirst) {
            this.release = new CountDownLatch(blockFirst ? 1 : 0);
        }

        @Override
        public void export(List<Trace> traces, List<Span> spans) {
            List<Object> batch = new java.util.ArrayList<>();
            batch.addAll(spans);
            batch.addAll(traces);
            batches.add(batch);
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void shutdown() {
            shutdowns.incrementAndGet();
        }

        int exported() {
            return batches.stream().mapToInt(List::size).sum();
        }
    }

    static Span span(int i) {
        return new Span("trace_1", "span_" + i, null, new SpanData.Custom("s" + i, Map.of()), Instant.now(), Instant.now(), null);
    }

    static Trace trace() {
        return new Trace("trace_1", "w", null, Map.of(), Instant.now(), Instant.now());
    }

    @Test
    void force_flush_exports_everything_queued_in_batches_of_the_max_size() {
        RecordingExporter exporter = new RecordingExporter(false);
        BatchTraceProcessor processor = BatchTraceProcessor.builder(exporter)
                .maxBatchSize(2).scheduleDelay(Duration.ofHours(1)).build();

        for (int i = 0; i < 5; i++) {
            processor.onSpanStart(span(i));
            processor.onSpanEnd(span(i));
        }
        processor.onTraceStart(trace());
        processor.onTraceEnd(trace());
        processor.forceFlush();

        assertThat(exporter.exported()).isEqualTo(6);   // ends only: 5 spans and the trace
        assertThat(exporter.batches).allSatisfy(b -> assertThat(b).hasSizeLessThanOrEqualTo(2));
        assertThat(processor.queuedCount()).isZero();
        processor.shutdown();
    }

    @Test
    void the_export_thread_exports_on_its_schedule_without_a_flush() throws Exception {
        RecordingExporter exporter = new RecordingExporter(false);
        BatchTraceProcessor processor = BatchTraceProcessor.builder(exporter)
                .scheduleDelay(Duration.ofMillis(20)).build();

        processor.onSpanEnd(span(1));

        assertThat(exporter.entered.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(exporter.exported()).isEqualTo(1);
        processor.shutdown();
    }

    @Test
    void a_full_batch_wakes_the_export_thread_before_the_delay() throws Exception {
        RecordingExporter exporter = new RecordingExporter(false);
        BatchTraceProcessor processor = BatchTraceProcessor.builder(exporter)
                .maxBatchSize(3).scheduleDelay(Duration.ofHours(1)).build();

        for (int i = 0; i < 3; i++) {
            processor.onSpanEnd(span(i));
        }

        assertThat(exporter.entered.await(5, TimeUnit.SECONDS)).isTrue();
        processor.shutdown();
        assertThat(exporter.exported()).isEqualTo(3);
    }

    @Test
    void beyond_the_queue_limit_new_items_are_dropped_and_counted_without_blocking() throws Exception {
        RecordingExporter exporter = new RecordingExporter(true);
        BatchTraceProcessor processor = BatchTraceProcessor.builder(exporter)
                .maxQueueSize(3).maxBatchSize(1).scheduleDelay(Duration.ofHours(1)).build();
        processor.onSpanEnd(span(0));
        assertThat(exporter.entered.await(5, TimeUnit.SECONDS)).isTrue();   // the exporter is now stuck on span 0

        long before = System.nanoTime();
        for (int i = 1; i <= 5; i++) {
            processor.onSpanEnd(span(i));
        }
        long tookMillis = (System.nanoTime() - before) / 1_000_000;

        assertThat(tookMillis).isLessThan(1_000);
        assertThat(processor.queuedCount()).isEqualTo(3);
        assertThat(processor.droppedCount()).isEqualTo(2);

        exporter.release.countDown();
        processor.forceFlush();
        assertThat(exporter.exported()).isEqualTo(4);
        assertThat(exporter.batches.stream().flatMap(List::stream).map(o -> ((Span) o).spanId()))
                .containsExactly("span_0", "span_1", "span_2", "span_3");
        processor.shutdown();
    }

    @Test
    void shutdown_exports_what_is_queued_then_shuts_the_exporter_down_once_and_ignores_later_items() {
        RecordingExporter exporter = new RecordingExporter(false);
        BatchTraceProcessor processor = BatchTraceProcessor.builder(exporter).scheduleDelay(Duration.ofHours(1)).build();
        processor.onSpanEnd(span(1));
        processor.onTraceEnd(trace());

        processor.shutdown();
        processor.shutdown();
        processor.onSpanEnd(span(2));
        processor.forceFlush();

        assertThat(exporter.exported()).isEqualTo(2);
        assertThat(exporter.shutdowns).hasValue(1);
        assertThat(processor.droppedCount()).isZero();
    }

    @Test
    void an_exporter_that_throws_loses_its_batch_but_not_the_next_ones() {
        AtomicInteger calls = new AtomicInteger();
        List<Span> received = new CopyOnWriteArrayList<>();
        TraceExporter flaky = (traces, spans) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("collector down");
            }
            received.addAll(spans);
        };
        BatchTraceProcessor processor = BatchTraceProcessor.builder(flaky)
                .maxBatchSize(1).scheduleDelay(Duration.ofHours(1)).build();
        processor.onSpanEnd(span(1));
        processor.onSpanEnd(span(2));
        processor.forceFlush();
        processor.shutdown();

        assertThat(calls.get()).isEqualTo(2);
        assertThat(received).hasSize(1);
    }

    @Test
    void the_builder_rejects_settings_that_cannot_work() {
        TraceExporter exporter = (traces, spans) -> {};
        assertThatThrownBy(() -> BatchTraceProcessor.builder(exporter).maxQueueSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BatchTraceProcessor.builder(exporter).maxBatchSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BatchTraceProcessor.builder(exporter).scheduleDelay(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
