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

    static RuntimeDesk open(String name, Stores stores, ModelChoice model) {
        RuntimeHumans humans = new RuntimeHumans();
        Desk<?> desk = Desks.create(name, humans);
        RunConfig.Builder config = RunConfig.builder().sessionStore(stores.sessions()).defaultModel(model.model());
        if (model.provider() != null) {
            config.modelProvider(model.provider());
        }
        return new RuntimeDesk(desk, handoffDesk(desk, Runner.create(config.build()), stores), humans);
    }

    private static <C> HandoffDesk<C> handoffDesk(Desk<C> desk, Runner runner, Stores stores) {
        return HandoffDesk.builder(desk.entry(), runner).name(desk.name()).context(session -> desk.newContext())
                .journaled(stores.runs(), java.time.Duration.ofSeconds(Workbench.LEASE_SECONDS)).build();
    }

    @Override
    public void close() {
        handoffs.close();
    }
}
