package dev.baton.testing;

import dev.baton.session.InMemorySessionStore;
import dev.baton.session.SessionStore;

class InMemorySessionStoreConformanceTest extends SessionStoreConformance {
    @Override
    protected SessionStore createStore() {
        return new InMemorySessionStore();
    }
}
