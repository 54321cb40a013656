package dev.baton.testing;

import dev.baton.durable.InMemoryRunStore;
import dev.baton.durable.RunStore;

class InMemoryRunStoreConformanceTest extends RunStoreConformance {
    @Override
    protected RunStore createStore() {
        return new InMemoryRunStore();
    }
}
