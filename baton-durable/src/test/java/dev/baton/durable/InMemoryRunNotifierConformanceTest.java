package dev.baton.durable;

/** Runners sharing one in-memory store wake each other's readers, in the same JVM. */
class InMemoryRunNotifierConformanceTest extends RunNotifierConformance {

    private final InMemoryRunStore store = new InMemoryRunStore();

    @Override
    protected RunStore openStore() {
        return store;
    }
}
