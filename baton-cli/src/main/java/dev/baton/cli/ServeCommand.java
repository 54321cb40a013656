package dev.baton.cli;

import dev.baton.UserError;

import dev.baton.cli.desk.Desk;
import dev.baton.cli.desk.Desks;
import dev.baton.durable.RunRecord;
import dev.baton.human.HumanQueue;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import dev.baton.server.BatonServer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code baton serve}: the example desks over HTTP ({@code docs/server.md}) until stopped (Ctrl-C),
 * on the database the other commands use, with the offline model unless {@code --model} names one.
 * On a loopback address no token is needed; on any other address requests need one: {@code --token},
 * else {@code BATON_TOKEN}, else one generated on first start into a file beside the database and
 * printed once.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the desks over HTTP: the JSON API under /api (see docs/server.md), until Ctrl-C.",
                "Uses the database of the other commands (--db) and the offline model (unless --model names one and OPENAI_API_KEY is set).",
                "Any address but a loopback one needs a token: --token, else BATON_TOKEN, else one generated on first start,",
                "printed once and kept beside the database (<db file>.token, mode 600; .baton/server.token for PostgreSQL)."})
final class ServeCommand implements Callable<Integer> {
    /** The environment variable holding the token when {@code --token} does not give one. */
    static final String TOKEN_ENV = "BATON_TOKEN";
    /** Helidon logs through java.util.logging; held here because that keeps loggers only weakly. */
    private static final java.util.logging.Logger HELIDON = java.util.logging.Logger.getLogger("io.helidon");

    @ParentCommand
    BatonCli root;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "6767", description = "Port to listen on (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default ${DEFAULT-VALUE}, this machine only; another one needs a token).")
    String host;

    @Option(names = "--no-worker",
            description = "Execute no runs here: only record the runs started over HTTP and serve the database, for workers in other processes (sharing a PostgreSQL database) to execute.")
    boolean noWorker;

    @Option(names = "--runtime", paramLabel = "RUNTIME", description = {
            "Also serve the desks on the publish/subscribe runtime at /api/runtime/DESK/sessions/ID/messages:",
            "inprocess (their agents run here) or kafka (on workers started with baton worker)."})
    @Nullable String runtime;

    @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "With --runtime kafka: the broker (default: BATON_KAFKA, else " + KafkaOptions.DEFAULT + ")")
    @Nullable String kafka;

    /** The runtimes and runtime desks this server opened, closed when it stops. */
    private final java.util.List<AutoCloseable> runtimeParts = new java.util.ArrayList<>();
    /** The desks the server's worker runs, closed once it stopped (ending what they started, such as a tool server). */
    private final java.util.List<Desk<?>> desks = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Option(names = "--hide-sensitive-data",
            description = "Show '[hidden]' in place of tool arguments and results in the API and the web UI (conversation text, tools, tokens and timing stay).")
    boolean hideSensitiveData;

    @Option(names = "--token", paramLabel = "TOKEN", description = "The token requests must send as 'Authorization: Bearer TOKEN' (default: BATON_TOKEN).")
    @Nullable String token;

    @Override
    public Integer call() throws Exception {
        Terminal t = root.terminal();
        // Quiet as the other commands are: the web server's log lines only with --verbose (its failures become our one line).
        HELIDON.setLevel(root.verbose() ? java.util.logging.Level.INFO : java.util.logging.Level.OFF);
        if (port < 0 || port > 65535) {
            throw new CliError("--port is 0 to 65535, got " + port);
        }
        String configured = token != null ? token : blankToNull(t.env().get(TOKEN_ENV));
        boolean loopback = isLoopback(host);
        Workbench.Settings settings = root.settings();
        Optional<Path> dbFile = Workbench.sqliteFile(settings);
        ModelChoice model = ModelChoice.choose(root.model(), t.env(), true, root.verbose());
        Stores stores;
        try {
            stores = Workbench.openStores(settings);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        BatonServer server;
        try {
            server = server(stores, model, configured, loopback ? null : tokenFile(dbFile, t.workDir())).start();
        } catch (RuntimeException e) {
            closeRuntimes();
            Workbench.closeDesks(desks);
            stores.close();
            model.close();
            throw e;
        }
        Thread hook = new Thread(() -> {
            closeRuntimes();
            stop(server, stores, model);
            Workbench.closeDesks(desks);
        }, "baton-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        t.println("Baton · model " + model.label() + " · store " + stores.label()
                + (noWorker ? " · no worker here (runs are executed by workers sharing the store)" : ""));
        t.println("Serving the desks " + String.join(", ", Desks.names()) + " at " + server.url() + " (runs: " + server.url()
                + "ui/runs, API: " + server.url() + "api/desks)");
        if (runtime != null) {
            t.println("On the runtime (" + runtime + "): chat at " + server.url() + "ui/chat, or POST " + server.url()
                    + "api/runtime/DESK/sessions/ID/messages {\"message\": ...}");
        }
        if (server.requiresToken()) {
            Optional<String> generated = server.generatedToken();
            if (generated.isPresent()) {
                t.println("Token (shown once; kept in " + tokenFile(dbFile, t.workDir()) + "): " + generated.get());
            }
            t.println("Requests need the header 'Authorization: Bearer <token>'; a browser signs in once at " + server.url()
                    + "ui/sign-in with the token.");
        }
        t.println("Stop with Ctrl-C.");
        t.out().flush();
        try {
            new CountDownLatch(1).await(); // until interrupted, or the JVM stops (Ctrl-C) and the hook closes the server
        } catch (InterruptedException e) {
            // The way to stop it in this JVM (the tests): the flag stays clear, so stopping the web server waits.
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            return 0; // the JVM is stopping: the hook closes the server
        }
        closeRuntimes();
        stop(server, stores, model);
        Workbench.closeDesks(desks);
        t.println("Stopped serving.");
        return 0;
    }

    private BatonServer server(Stores stores, ModelChoice model, @Nullable String configured, @Nullable Path tokenFile) {
        Map<String, Desk<?>> desks = new LinkedHashMap<>();
        // A person answers for the acme desk's human agent in the browser (the approvals and chat pages, or /api/humans).
        HumanQueue people = new HumanQueue();
        Desks.names().forEach(name -> desks.put(name, Desks.create(name, people)));
        this.desks.addAll(desks.values());
        BatonServer.Builder b = BatonServer.builder()
                .humans(people)
                .store(stores.runs())
                .sessionStore(stores.sessions())
                .host(host)
                .port(port)
                .worker(!noWorker)
                .sensitiveData(!hideSensitiveData)
                .runOptions(record -> options(desks.get(record.application())));
        desks.values().forEach(d -> b.desk(d.name(), d.entry()));
        if (runtime != null) {
            serveOnRuntime(b, stores, model);
        }
        if (!noWorker) {
            RunConfig.Builder config = RunConfig.builder().sessionStore(stores.sessions()).defaultModel(model.model());
            if (model.provider() != null) {
                config.modelProvider(model.provider());
            }
            b.runner(Runner.create(config.build()));
        }
        if (configured != null) {
            b.token(configured);
        } else if (tokenFile != null) {
            b.tokenFile(tokenFile);
        }
        return b.build();
    }

    /**
     * Each desk on a runtime of its own: in this process (its agents here, its turns journaled in
     * the server's database), or on Kafka (its agents on the workers of its group).
     */
    private void serveOnRuntime(BatonServer.Builder b, Stores stores, ModelChoice model) {
        if (!runtime.equals(RuntimeChat.IN_PROCESS) && !runtime.equals(RuntimeChat.KAFKA)) {
            throw new CliError("unknown runtime '" + runtime + "': use " + RuntimeChat.IN_PROCESS + " or " + RuntimeChat.KAFKA);
        }
        String bootstrap = KafkaOptions.bootstrap(kafka, root.terminal().env());
        for (String name : Desks.names()) {
            boolean here = runtime.equals(RuntimeChat.IN_PROCESS);
            RuntimeDesk desk = RuntimeDesk.open(name, stores, model, here);
            runtimeParts.add(desk);
            dev.baton.runtime.AgentRuntime rt = here ? dev.baton.runtime.InProcessRuntime.create()
                    : KafkaOptions.connect(bootstrap, name, "serve-" + name, "baton-serve-" + name);
            runtimeParts.add(rt);
            if (here) {
                desk.handoffs.host(rt);
            }
            desk.humans.bind(rt);
            b.runtimeDesk(desk.handoffs, rt);
        }
    }

    private void closeRuntimes() {
        for (AutoCloseable part : runtimeParts.reversed()) {
            try {
                part.close();
            } catch (Exception e) {
                root.terminal().error("baton: stopping the runtime: " + e.getMessage());
            }
        }
    }

    private static <C> RunOptions<C> options(@Nullable Desk<C> desk) {
        return desk == null ? RunOptions.none() : RunOptions.context(desk.newContext());
    }

    /** Where a generated token is kept: beside the SQLite file, or in {@code .baton/} for PostgreSQL. */
    static Path tokenFile(Optional<Path> dbFile, Path workDir) {
        return dbFile.map(f -> f.resolveSibling(f.getFileName() + ".token")).orElse(workDir.resolve(".baton/server.token"));
    }

    private static boolean isLoopback(String host) {
        try {
            return BatonServer.isLoopback(host);
        } catch (UserError e) {
            throw new CliError("unknown host '" + host + "' (--host takes an address of this machine, e.g. 127.0.0.1 or 0.0.0.0)");
        }
    }

    private static void stop(BatonServer server, Stores stores, ModelChoice model) {
        try {
            server.close();
        } finally {
            try {
                stores.close();
            } finally {
                model.close();
            }
        }
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
