package dev.baton.server;

import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.durable.DurableClient;
import dev.baton.durable.DurableWorker;
import dev.baton.durable.InMemoryRunStore;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStore;
import dev.baton.human.HumanQueue;
import dev.baton.session.SessionStore;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import io.helidon.webserver.WebServer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Baton's HTTP server: serves the JSON API of {@code docs/server.md} (desks, runs, their events,
 * cancelling, live events, approvals, questions for people, sessions, metrics, its OpenAPI description), its web UI, and an
 * OpenAI-compatible {@code /v1} endpoint that serves each desk as a model, and runs a {@link DurableWorker} in the same process that executes the runs of its
 * desks (or, built with {@code worker(false)}, only serves a store that workers elsewhere execute).
 * Requests are handled on virtual threads by Helidon SE's web server. It listens on 127.0.0.1 by
 * default; any other address needs a {@linkplain Builder#token(String) token}, which every request
 * must then carry as {@code Authorization: Bearer <token>}.
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
    private @Nullable DurableClient client;
    private Optional<Tokens.Token> token = Optional.empty();
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
     * Whether {@code host} names only loopback addresses ({@code 127.0.0.1}, {@code ::1},
     * {@code localhost}): a server listening there needs no token, any other needs one.
     *
     * @throws UserError if the name does not resolve
     */
    public static boolean isLoopback(String host) {
        return Tokens.isLoopback(host);
    }

    /**
     * Starts the worker (unless built {@linkplain Builder#worker(boolean) without one}) and then the
     * HTTP listener; returns this server, serving.
     *
     * @throws UserError if the server was already started or closed, the port cannot be bound, or the
     *     address is not a loopback one and no token was given (see {@link Builder#token(String)})
     */
    public synchronized BatonServer start() {
        if (closed || web != null) {
            throw new UserError("This Baton server was already started" + (closed ? " and closed" : ""));
        }
        Optional<Tokens.Token> t = Tokens.resolve(settings.host, settings.token, settings.tokenFile);
        Desks desks = Desks.of(settings.desks, settings.contextTypes, settings.runOptions != null);
        DurableWorker w = null;
        DurableClient c;
        if (settings.worker) {
            DurableWorker.Builder wb = DurableWorker.builder(Objects.requireNonNull(settings.runner), settings.store);
            settings.desks.forEach((name, entry) -> wb.application(name, entry));
            wb.runOptions(runOptions(settings.runOptions, desks));
            w = wb.build().start();
            c = w.client();
        } else {
            c = DurableClient.builder(settings.store).build();
        }
        try {
            SessionStore sessions = settings.sessionStore != null ? settings.sessionStore
                    : settings.runner != null ? settings.runner.config().sessionStore() : null;
            boolean sensitive = settings.sensitiveData != null ? settings.sensitiveData
                    : settings.runner == null || settings.runner.config().traceIncludeSensitiveData();
            Api api = new Api(desks, c, settings.maxBodyBytes, new Privacy(sensitive));
            for (RuntimeApi.Hosted hosted : settings.runtimeDesks.values()) {
                hosted.desk().hostUser(hosted.runtime(), hosted.people());
                if (settings.humans != null) {
                    dev.baton.runtime.handoff.RuntimeHumans.hostOperator(hosted.runtime(), settings.humans);
                }
            }
            OpenAiEndpoint openAi = sessions == null ? null : new OpenAiEndpoint(desks, c, sessions, settings.maxBodyBytes);
            WebServer s = WebServer.builder()
                    .host(settings.host)
                    .port(settings.port)
                    // TCP_NODELAY (Helidon leaves Nagle's algorithm on): a streamed answer is written in small
                    // pieces (an SSE event, then the next), and with Nagle on a piece waits for the client's
                    // delayed acknowledgement of the previous one, about 40 ms on Linux; see docs/benchmarks.md, "server".
                    .connectionOptions(o -> o.tcpNoDelay(true))
                    .routing(r -> {
                        t.ifPresent(token -> r.addFilter(Tokens.filter(token.value())));
                        Endpoints.register(r, api, desks, c, sessions, openAi,
                                new SignIn(t.map(Tokens.Token::value).orElse(null), settings.maxBodyBytes), settings.humans,
                                Map.copyOf(settings.runtimeDesks));
                    })
                    .build()
                    .start();
            if (!s.isRunning()) { // Helidon logs why and returns a stopped server
                throw new IllegalStateException("the port is in use, or the address is not one of this machine's");
            }
            this.worker = w;
            this.client = c;
            this.token = t;
            this.web = s;
        } catch (RuntimeException e) {
            if (w != null) {
                w.close();
            } else {
                c.close();
            }
            throw new UserError("The Baton server could not listen on " + settings.host + ":" + settings.port + ": " + e.getMessage(), e);
        }
        return this;
    }

    /** Each run's options: the configured ones, with the desk's typed context read from the JSON the run was started with. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Function<RunRecord, RunOptions<?>> runOptions(@Nullable Function<RunRecord, RunOptions<?>> configured, Desks desks) {
        return record -> {
            RunOptions options = configured != null ? configured.apply(record) : RunOptions.none();
            Optional<Desks.Desk> desk = desks.find(record.application());
            if (record.context() != null && desk.isPresent() && desk.get().contextType() != null) {
                options = options.withContext(desk.get().context(record.context()));
            }
            return options;
        };
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

    /**
     * The worker executing the runs of this server's desks.
     *
     * @throws UserError if the server is not started, or was built without a worker
     */
    public DurableWorker worker() {
        DurableWorker w = worker;
        if (w == null) {
            throw new UserError(web != null ? "This Baton server runs no worker: it was built with worker(false)"
                    : "This Baton server is not started: call start() first");
        }
        return w;
    }

    /**
     * The token this start generated into the {@linkplain Builder#tokenFile(Path) token file}, if
     * it generated one (the file did not exist yet): the caller shows it once to the person who
     * started the server. Empty when the token was configured, read from the file, or not needed.
     */
    public Optional<String> generatedToken() {
        return token.filter(Tokens.Token::generated).map(Tokens.Token::value);
    }

    /** Whether requests need the token ({@code Authorization: Bearer <token>}). */
    public boolean requiresToken() {
        return token.isPresent();
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
        } else if (client != null) {
            client.close();
        }
    }

    /** Settings of a {@link BatonServer}. */
    public static final class Builder {
        private final Map<String, Agent<?>> desks = new LinkedHashMap<>();
        private final Map<String, Class<?>> contextTypes = new LinkedHashMap<>();
        private @Nullable Runner runner;
        private RunStore store = new InMemoryRunStore();
        private String host = "127.0.0.1";
        private int port = 6767;
        private int maxBodyBytes = 1024 * 1024;
        private boolean worker = true;
        private @Nullable Function<RunRecord, RunOptions<?>> runOptions;
        private @Nullable String token;
        private @Nullable Path tokenFile;
        private @Nullable SessionStore sessionStore;
        private @Nullable Boolean sensitiveData;
        private @Nullable HumanQueue humans;
        private final Map<String, RuntimeApi.Hosted> runtimeDesks = new LinkedHashMap<>();

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

        /**
         * A desk whose runs may be started with a context (the {@code context} of
         * {@code POST /api/desks/{desk}/runs}): its JSON becomes a {@code contextType} with Jackson,
         * which the agents get as their context. A context that does not fit is refused when the
         * run is started (400), so no run starts with a broken one.
         */
        public <C> Builder desk(String name, Agent<C> entryAgent, Class<C> contextType) {
            desk(name, entryAgent);
            contextTypes.put(name, Objects.requireNonNull(contextType, "contextType"));
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
         * Whether this process executes the desks' runs (default true). Without a worker the server
         * only records the runs it starts, for workers in other processes sharing the store (a
         * PostgreSQL database) to execute, and serves what they record; no runner is needed then.
         */
        public Builder worker(boolean worker) {
            this.worker = worker;
            return this;
        }

        /**
         * Options (the context, above all) for each run the worker executes, given its record (its
         * desk is {@link RunRecord#application()}, the JSON context it was started with
         * {@link RunRecord#context()}); by default none. With it, any desk's runs may be started with
         * a context, which these options read; a desk given a context type (see
         * {@link #desk(String, Agent, Class)}) gets its typed context on top of them.
         */
        public Builder runOptions(Function<RunRecord, RunOptions<?>> runOptions) {
            this.runOptions = Objects.requireNonNull(runOptions, "runOptions");
            return this;
        }

        /**
         * The token every request must carry as {@code Authorization: Bearer <token>}; others get
         * 401. Without one (nor a {@link #tokenFile(Path) token file}) the server needs no token,
         * and may listen on a loopback address only.
         */
        public Builder token(String token) {
            this.token = Tokens.check(Objects.requireNonNull(token, "token"));
            return this;
        }

        /**
         * A file holding the token, when {@link #token(String)} gives none: read if it exists,
         * otherwise generated into it at start (readable by its owner only), so a restart keeps the
         * token; {@link BatonServer#generatedToken()} tells a new one.
         */
        public Builder tokenFile(Path tokenFile) {
            this.tokenFile = Objects.requireNonNull(tokenFile, "tokenFile");
            return this;
        }

        /**
         * Where the sessions of the sessions API and the OpenAI-compatible endpoint live; defaults to
         * the runner's ({@link dev.baton.run.RunConfig#sessionStore()}). A server without a worker
         * and without a runner needs it for those endpoints, which it does not serve otherwise.
         */
        public Builder sessionStore(SessionStore sessionStore) {
            this.sessionStore = Objects.requireNonNull(sessionStore, "sessionStore");
            return this;
        }

        /**
         * Whether the API and the web UI show tool arguments and results. Off, they show
         * {@code [hidden]} in their place everywhere (events, live streams, approvals, the run
         * timeline); conversation text, tool names, tokens and timing stay visible. Defaults to the
         * runner's {@link dev.baton.run.RunConfig#traceIncludeSensitiveData()}, so a runner that keeps
         * them out of traces keeps them off the screen too.
         */
        public Builder sensitiveData(boolean sensitiveData) {
            this.sensitiveData = sensitiveData;
            return this;
        }

        /**
         * Serves {@code desk} on the publish/subscribe runtime {@code runtime} at
         * {@code /api/runtime/<desk name>/sessions/<session>/messages}: a person talks to it over HTTP
         * and hears what its agents say next. The server hosts the desk's user agent on the runtime,
         * and, with {@link #humans(HumanQueue)}, the operator its human agents ask through
         * {@link dev.baton.runtime.handoff.RuntimeHumans}. The desk's agents run wherever the
         * runtime hosts them (call {@code desk.host(runtime)} for this process).
         *
         * @throws UserError if a desk of that name is already on the runtime, or another desk uses this runtime
         */
        public Builder runtimeDesk(dev.baton.runtime.handoff.HandoffDesk<?> desk, dev.baton.runtime.AgentRuntime runtime) {
            Objects.requireNonNull(desk, "desk");
            Objects.requireNonNull(runtime, "runtime");
            if (runtimeDesks.containsKey(desk.name())) {
                throw new UserError("A desk named '" + desk.name() + "' is already served on the runtime");
            }
            if (runtimeDesks.values().stream().anyMatch(h -> h.runtime() == runtime)) {
                throw new UserError("Desk '" + desk.name() + "' needs a runtime of its own: another desk of this server uses that"
                        + " runtime's user topic");
            }
            runtimeDesks.put(desk.name(), new RuntimeApi.Hosted(desk, runtime, new RuntimeSessions()));
            return this;
        }

        /**
         * The queue the desks' human agents were built with ({@code HumanAgent.builder(...).channel(queue)}):
         * the server lists its questions ({@code GET /api/humans}, the approvals page, the chat
         * page) and lets a person answer them, so a conversation escalated to a human agent is
         * answered in the browser. Without one, no question is listed.
         */
        public Builder humans(HumanQueue queue) {
            this.humans = Objects.requireNonNull(queue, "queue");
            return this;
        }

        /**
         * A server with these settings, not yet started.
         *
         * @throws UserError if no desk was given, or no runner for a server with a worker
         */
        public BatonServer build() {
            if (runner == null && worker) {
                throw new UserError("A Baton server needs a runner: call runner(...) (or worker(false) to only serve a store)");
            }
            if (desks.isEmpty() && runtimeDesks.isEmpty()) {
                throw new UserError("A Baton server needs at least one desk: call desk(name, entryAgent) or runtimeDesk(desk, runtime)");
            }
            Builder copy = new Builder();
            copy.desks.putAll(desks);
            copy.runtimeDesks.putAll(runtimeDesks);
            copy.contextTypes.putAll(contextTypes);
            copy.runner = runner;
            copy.store = store;
            copy.host = host;
            copy.port = port;
            copy.maxBodyBytes = maxBodyBytes;
            copy.worker = worker;
            copy.runOptions = runOptions;
            copy.token = token;
            copy.tokenFile = tokenFile;
            copy.sessionStore = sessionStore;
            copy.sensitiveData = sensitiveData;
            copy.humans = humans;
            return new BatonServer(copy);
        }
    }
}
