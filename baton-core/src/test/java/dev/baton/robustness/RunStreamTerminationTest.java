package dev.baton.robustness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.baton.agent.Agent;
import dev.baton.run.RunEvent;
import dev.baton.run.RunOptions;
import dev.baton.run.RunStream;
import dev.baton.run.Runner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A stream must always end with a terminal event, whatever makes the run fail. */
class RunStreamTerminationTest {

    private final Runner runner = Runner.create();
    private final Agent<Void> agent = Agent.<Void>builder("a").model(new Scripted()).build();

    private static List<RunEvent> drain(RunStream stream) {
        List<RunEvent> events = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(3), () -> stream.forEach(events::add),
                "the stream's iterator never ended");
        return events;
    }

    @Test
    void a_blank_session_id_is_rejected_when_the_options_are_made() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunOptions.<Void>session(" "))
                .isInstanceOf(dev.baton.UserError.class).hasMessageContaining("blank");
    }

    @Test
    void a_failure_before_the_first_event_still_ends_the_stream_with_RunFailed() {
        try (RunStream stream = runner.stream(agent, "hi", RunOptions.<Void>none().withSession(new dev.baton.session.Session("s",
                new FailingStore())))) {
            List<RunEvent> events = drain(stream);
            assertThat(events).last().isInstanceOf(RunEvent.RunFailed.class);
        }
    }

    /** A store that is down. */
    static final class FailingStore implements dev.baton.session.SessionStore {
        @Override
        public java.util.Optional<dev.baton.session.SessionLease> tryLease(String id, String owner, java.time.Duration ttl) {
            throw new IllegalStateException("store down");
        }

        @Override
        public java.util.Optional<dev.baton.session.SessionLease> renewLease(dev.baton.session.SessionLease lease,
                java.time.Duration ttl) {
            throw new IllegalStateException("store down");
        }

        @Override
        public void releaseLease(dev.baton.session.SessionLease lease) {
            throw new IllegalStateException("store down");
        }

        @Override
        public java.util.Optional<dev.baton.session.SessionLease> lease(String id) {
            throw new IllegalStateException("store down");
        }

        @Override
        public void addItems(dev.baton.session.SessionLease lease, List<dev.baton.item.Item> items) {
            throw new IllegalStateException("store down");
        }

        @Override
        public boolean addItemsOnce(dev.baton.session.SessionLease lease, String key, List<dev.baton.item.Item> items) {
            throw new IllegalStateException("store down");
        }

        @Override
        public void setActiveAgent(dev.baton.session.SessionLease lease, String agent) {
            throw new IllegalStateException("store down");
        }

        @Override
        public void recordUsage(dev.baton.session.SessionLease lease, String runId, dev.baton.model.Usage usage, java.time.Instant at) {
            throw new IllegalStateException("store down");
        }

        @Override
        public List<dev.baton.item.Item> items(String id, int limit) {
            throw new IllegalStateException("store down");
        }

        @Override
        public void addItems(String id, List<dev.baton.item.Item> items) {
            throw new IllegalStateException("store down");
        }

        @Override
        public void recordUsage(String id, String runId, dev.baton.model.Usage usage, java.time.Instant at) {
            throw new IllegalStateException("store down");
        }

        @Override
        public List<dev.baton.session.TurnUsage> usage(String id) {
            throw new IllegalStateException("store down");
        }

        @Override
        public boolean addItemsOnce(String id, String key, List<dev.baton.item.Item> items) {
            throw new IllegalStateException("store down");
        }

        @Override
        public java.util.Optional<dev.baton.item.Item> popItem(String id) {
            throw new IllegalStateException("store down");
        }

        @Override
        public void clear(String id) {
            throw new IllegalStateException("store down");
        }

        @Override
        public java.util.Optional<String> activeAgent(String id) {
            throw new IllegalStateException("store down");
        }

        @Override
        public void setActiveAgent(String id, String agent) {
            throw new IllegalStateException("store down");
        }
    }

    @Test
    void a_null_agent_ends_the_stream_with_RunFailed_or_is_rejected_up_front() {
        RunStream stream;
        try {
            stream = runner.stream((Agent<Void>) null, "hi", RunOptions.none());
        } catch (NullPointerException | IllegalArgumentException | dev.baton.UserError rejected) {
            return; // rejected on the caller's thread: fine
        }
        try (stream) {
            assertThat(drain(stream)).last().isInstanceOf(RunEvent.RunFailed.class);
        }
    }
}
