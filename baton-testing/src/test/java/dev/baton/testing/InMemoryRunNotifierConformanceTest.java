package dev.baton.testing;

import dev.baton.durable.InMemoryRunStore;
import dev.baton.durable.RunStore;

/** Runners sharing one in-memory store wake each other's readers, in the same JVM. */
class InMemoryRunNotifierConformanceTest extends RunNotifierConformance {

    private final InMemoryRunStore store = new InMemoryRunStore();

    @Override
    protected RunStore openStore() {
        return store;
    }
}
