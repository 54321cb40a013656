package dev.baton.durable;

class InMemoryRunStoreConformanceTest extends RunStoreConformance {
    @Override
    protected RunStore createStore() {
        return new InMemoryRunStore();
    }
}
