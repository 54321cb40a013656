package dev.baton.cli;

import dev.baton.cli.desk.Desk;
import dev.baton.cli.desk.Desks;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.runtime.handoff.HandoffDesk;
import dev.baton.runtime.handoff.RuntimeHumans;

/**
 * An example desk as a {@link HandoffDesk} on the publish/subscribe runtime: its turns are
 * journaled in the command's database, so they are listed by {@code baton runs} and the web UI, and
 * its human agent asks through the runtime ({@link RuntimeHumans}), answered wherever the operator
 * is hosted.
 */
final class RuntimeDesk implements AutoCloseable {
    final Desk<?> desk;
    final HandoffDesk<?> handoffs;
    final RuntimeHumans humans;

    private RuntimeDesk(Desk<?> desk, HandoffDesk<?> handoffs, RuntimeHumans humans) {
        this.desk = desk;
        this.handoffs = handoffs;
        this.humans = humans;
    }

    /**
     * The desk {@code name}; with {@code takesTurns} its turns are journaled in the stores and
     * executed here (a chat in process, a worker), without it the desk is only addressed (a chat
     * whose agents run on workers).
     */
    static RuntimeDesk open(String name, Stores stores, ModelChoice model, boolean takesTurns) {
        RuntimeHumans humans = new RuntimeHumans();
        Desk<?> desk = Desks.create(name, humans);
        RunConfig.Builder config = RunConfig.builder().sessionStore(stores.sessions()).defaultModel(model.model());
        if (model.provider() != null) {
            config.modelProvider(model.provider());
        }
        return new RuntimeDesk(desk, handoffDesk(desk, Runner.create(config.build()), stores, takesTurns), humans);
    }

    private static <C> HandoffDesk<C> handoffDesk(Desk<C> desk, Runner runner, Stores stores, boolean takesTurns) {
        HandoffDesk.Builder<C> builder = HandoffDesk.builder(desk.entry(), runner).name(desk.name()).context(session -> desk.newContext());
        if (takesTurns) {
            builder.journaled(stores.runs(), java.time.Duration.ofSeconds(Workbench.LEASE_SECONDS));
        }
        return builder.build();
    }

    /** Stops the desk's runtime part, then the desk itself (what it started, such as a tool server's process). */
    @Override
    public void close() {
        try {
            handoffs.close();
        } finally {
            desk.close();
        }
    }
}
