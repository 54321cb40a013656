package dev.baton.runtime;

import dev.baton.runtime.internal.Mailbox;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One agent instance's place in the runtime: its mailbox, the agent once made, and the lock that
 * keeps its messages and its state saves one at a time.
 */
final class Instance {

    final AgentId id;
    final Mailbox mailbox = new Mailbox();
    final ReentrantLock lock = new ReentrantLock();
    @Nullable RoutedAgent agent;
    volatile @Nullable CancellationToken handling;

    Instance(AgentId id) {
        this.id = id;
    }
}
