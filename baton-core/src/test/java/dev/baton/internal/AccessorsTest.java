package dev.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.agent.Agent;
import dev.baton.tool.Tool;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

class AccessorsTest {

    @Test
    void an_accessor_is_installed_by_its_owner_only() {
        Agent.builder("support_triage").build();

        assertThatThrownBy(() -> AgentAccess.install(new AgentAccess.Access() {
            @Override
            public <C> Offered<C> fixedOffer(Agent<C> agent) {
                throw new AssertionError();
            }

            @Override
            public <C> java.util.Map<String, Agent<C>> reachableAgents(Agent<C> agent) {
                throw new AssertionError();
            }
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("dev.baton.agent.Agent only");
    }

    /**
     * In a class loader of its own, where no Baton class has initialised yet, each accessor that
     * is reached through a static entry point answers: it initialises the owner that installs it.
     */
    @Test
    void an_accessor_called_before_its_owner_initialised_initialises_it() throws Exception {
        List<URL> own = List.of(
                AgentAccess.class.getProtectionDomain().getCodeSource().getLocation(),
                AccessorsTest.class.getProtectionDomain().getCodeSource().getLocation());
        try (URLClassLoader fresh = new BatonFirst(own.toArray(URL[]::new), AccessorsTest.class.getClassLoader())) {
            @SuppressWarnings("unchecked")
            Callable<List<Object>> probe = (Callable<List<Object>>) fresh.loadClass(Probe.class.getName())
                    .getDeclaredConstructor().newInstance();

            assertThat(probe.call()).containsExactly("invoice_id", false, "ask_billing");
        }
    }

    /** Runs in the fresh loader: touches each accessor before the class that installs it. */
    public static final class Probe implements Callable<List<Object>> {
        @Override
        public List<Object> call() {
            String snake = Schemas.toSnakeCase("invoiceId");
            Agent<Void> billing = Agent.<Void>builder("billing").build();
            boolean human = HumanAccess.isHuman(billing);
            Tool<Void> tool = RunAccess.asTool(billing, "ask_billing", "Ask billing", null);
            return List.of(snake, human, tool.name());
        }
    }

    /** Loads Baton's classes itself, so they initialise anew; everything else from its parent. */
    private static final class BatonFirst extends URLClassLoader {
        BatonFirst(URL[] urls, ClassLoader parent) {
            super(urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("dev.baton.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = findClass(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
