package dev.baton.server;

import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.durable.DurableWorker;
import dev.baton.durable.InMemoryRunStore;
import dev.baton.durable.RunStore;
import dev.baton.run.Runner;
import io.helidon.webserver.WebServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Baton's HTTP server: serves the JSON API of {@code docs/server.md} (desks, runs, their events,
 * cancelling, live events) and runs a {@link DurableWorker} in the same process that executes the runs of its
 * desks. Requests are handled on virtual threads by Helidon SE's web server.
 *
 * <pre>{@code
 * try (BatonServer server = BatonServer.builder()
 *         .desk("support", triage)
 *         .runner(runner)
 *         .port(0)
 *         .build()
 *         .start()) {
 *     URI api = server.url().resolve("/api/desks");
 * }
 * }</pre>
 */
public final class BatonServer implements AutoCloseable {
    private final Builder settings;
    private @Nullable DurableWorker worker;
    private @Nullable WebServer web;
    private volatile boolean closed;

    private BatonServer(Builder settings) {
        this.settings = settings;
    }

    /** A builder with the defaults: no desk, an in-memory store, 127.0.0.1, port 6767. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the worker and then the HTTP listener; returns this server, serving.
     *
     * @throws UserError if the server was already started or closed, or the port cannot be bound
     */
    public synchronized BatonServer start() {
        if (closed || web != null) {
            throw new UserError("This Baton server was already started" + (closed ? " and closed" : ""));
        }
        DurableWorker.Builder wb = DurableWorker.builder(settings.runner, settings.store);
        settings.desks.forEach((name, entry) -> wb.application(name, entry));
        DurableWorker w = wb.build().start();
        try {
            Desks desks = Desks.of(settings.desks);
            var sessions = Objects.requireNonNull(settings.runner, "runner").config().sessionStore();
            Api api = new Api(desks, w, settings.maxBodyBytes);
            OpenAiEndpoint openAi = new OpenAiEndpoint(desks, w, sessions, settings.maxBodyBytes);
            WebServer s = WebServer.builder()
                    .host(settings.host)
                    .port(settings.port)
                    .routing(r -> Endpoints.register(r, api, desks, w, sessions, openAi))
                    .build()
                    .start();
            this.worker = w;
            this.web = s;
        } catch (RuntimeException e) {
            w.close();
            throw new UserError("The Baton server could not listen on " + settings.host + ":" + settings.port + ": " + e.getMessage(), e);
        }
        return this;
    }

    /** The port the server listens on (the one the system chose when built with port 0). */
    public int port() {
        return running().port();
    }

    /** The server's base address, such as {@code http://127.0.0.1:6767/}. */
    public java.net.URI url() {
        String host = settings.host.contains(":") ? "[" + settings.host + "]" : settings.host;
        return java.net.URI.create("http://" + host + ":" + port() + "/");
    }

    /** The worker executing the runs of this server's desks. */
    public DurableWorker worker() {
        DurableWorker w = worker;
        if (w == null) {
            throw new UserError("This Baton server is not started: call start() first");
        }
        return w;
    }

    private WebServer running() {
        WebServer s = web;
        if (s == null || closed) {
            throw new UserError("This Baton server is not running");
        }
        return s;
    }

    /**
     * Stops listening, then closes the worker: runs executing here stay running in the store for
     * another worker to continue (see {@link DurableWorker#close()}).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (web != null) {
            web.stop();
        }
        if (worker != null) {
            worker.close();
        }
    }

    /** Settings of a {@link BatonServer}. */
    public static final class Builder {
        private final Map<String, Agent<?>> desks = new LinkedHashMap<>();
        private @Nullable Runner runner;
        private RunStore store = new InMemoryRunStore();
        private String host = "127.0.0.1";
        private int port = 6767;
        private int maxBodyBytes = 1024 * 1024;

        private Builder() {}

        /**
         * A desk (an application of the worker) and the agent its runs start with; the agents it
         * hands off to belong to the desk too.
         */
        public Builder desk(String name, Agent<?> entryAgent) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(entryAgent, "entryAgent");
            if (name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
                throw new UserError("A desk name must be letters, digits, '.', '_' or '-', got '" + name + "'");
            }
            if (desks.putIfAbsent(name, entryAgent) != null) {
                throw new UserError("Desk '" + name + "' is given twice");
            }
            return this;
        }

        /** The runner that executes the desks' runs (its models, tracing, session store); required. */
        public Builder runner(Runner runner) {
            this.runner = Objects.requireNonNull(runner, "runner");
            return this;
        }

        /** Where runs are kept; defaults to a new in-memory store. */
        public Builder store(RunStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** The address to listen on; defaults to 127.0.0.1 (this machine only). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port to listen on; defaults to 6767, and 0 lets the system choose a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new UserError("A port is 0 to 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** The largest request body accepted, in bytes (default 1 MiB); larger ones get 413. */
        public Builder maxBodyBytes(int maxBodyBytes) {
            if (maxBodyBytes < 1) {
                throw new UserError("The body limit must be at least 1 byte, got " + maxBodyBytes);
            }
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /**
         * A server with these settings, not yet started.
         *
         * @throws UserError if no runner or no desk was given
         */
        public BatonServer build() {
            if (runner == null) {
                throw new UserError("A Baton server needs a runner: call runner(...)");
            }
            if (desks.isEmpty()) {
                throw new UserError("A Baton server needs at least one desk: call desk(name, entryAgent)");
            }
            Builder copy = new Builder();
            copy.desks.putAll(desks);
            copy.runner = runner;
            copy.store = store;
            copy.host = host;
            copy.port = port;
            copy.maxBodyBytes = maxBodyBytes;
            return new BatonServer(copy);
        }
    }
}
