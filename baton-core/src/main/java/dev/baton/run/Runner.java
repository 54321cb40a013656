package dev.baton.run;

import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.internal.HumanAccess;
import dev.baton.internal.RunAccess;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.model.Model;
import dev.baton.model.ModelProvider;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Runs agents: calls the active agent's model, runs the tools it asks for, follows handoffs, and
 * repeats until an agent gives a final output. Thread-safe; one runner serves many concurrent runs.
 *
 * <ul>
 *   <li>{@link #run} blocks and returns the {@link RunResult};</li>
 *   <li>{@link #runAsync} returns at once with a future (cancel it to stop the run);</li>
 *   <li>{@link #stream} returns the run's {@link RunEvent}s as they happen (close it to stop the run).</li>
 * </ul>
 *
 * <p>Failures are unchecked {@link dev.baton.BatonException}s carrying the items produced so far.
 */
public final class Runner {
    static {
        RunAccess.install(AgentTools::asTool);
    }

    private final RunConfig config;
    /** The runner's interceptor chains, composed once. */
    private final Interceptors interceptors;
    private final Map<String, Model> modelsByName = new ConcurrentHashMap<>();
    private volatile @Nullable ModelProvider discoveredProvider;

    private Runner(RunConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.interceptors = Interceptors.of(config.modelInterceptors(), config.toolInterceptors());
    }

    /** A runner with default settings: in-memory sessions, at most 10 turns a run. */
    public static Runner create() {
        return new Runner(RunConfig.defaults());
    }

    public static Runner create(RunConfig config) {
        return new Runner(config);
    }

    public RunConfig config() {
        return config;
    }

    Interceptors interceptors() {
        return interceptors;
    }

    public <C> RunResult run(Agent<C> agent, String input) {
        return run(agent, input, RunOptions.none());
    }

    public <C> RunResult run(Agent<C> agent, String input, RunOptions<C> options) {
        return run(agent, List.of(Message.user(input)), options);
    }

    /** Runs on a conversation: items from {@link RunResult#toInputList()} plus the next message. */
    public <C> RunResult run(Agent<C> agent, List<Item> input, RunOptions<C> options) {
        checkArguments(agent, input, options);
        Cancellation cancellation = new Cancellation();
        cancellation.bind(Thread.currentThread());
        return new RunLoop<>(this, agent, input, options, cancellation, false, null).execute();
    }

    /**
     * Continues a run that paused for approvals, with the decisions recorded on {@code state}.
     * {@code agent} is the agent the run started with (the same definition: agents are matched by
     * name and {@link Agent#fingerprint()}); the options give the context object again and, for a
     * session in a store of its own, the session. Calls still undecided make it pause again.
     *
     * @throws dev.baton.UserError if the state does not belong to these agents or this session
     */
    public <C> RunResult resume(Agent<C> agent, RunState state, RunOptions<C> options) {
        Objects.requireNonNull(state, "state");
        checkArguments(agent, List.of(), options);
        Cancellation cancellation = new Cancellation();
        cancellation.bind(Thread.currentThread());
        return new RunLoop<>(this, agent, state, options, cancellation, false, null).execute();
    }

    public <C> RunResult resume(Agent<C> agent, RunState state) {
        return resume(agent, state, RunOptions.none());
    }

    public <C> CompletableFuture<RunResult> runAsync(Agent<C> agent, String input) {
        return runAsync(agent, input, RunOptions.none());
    }

    public <C> CompletableFuture<RunResult> runAsync(Agent<C> agent, String input, RunOptions<C> options) {
        return runAsync(agent, List.of(Message.user(input)), options);
    }

    /**
     * Starts the run on a virtual thread. Cancelling the future stops the run: no further model or
     * tool calls are made, and the calls in flight are interrupted.
     */
    public <C> CompletableFuture<RunResult> runAsync(Agent<C> agent, List<Item> input, RunOptions<C> options) {
        checkArguments(agent, input, options);
        Cancellation cancellation = new Cancellation();
        RunLoop<C> loop = new RunLoop<>(this, agent, input, options, cancellation, false, null);
        CancellableFuture future = new CancellableFuture(cancellation);
        Thread.ofVirtual().name("baton-run").start(() -> {
            cancellation.bind(Thread.currentThread());
            try {
                future.complete(loop.execute());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        });
        return future;
    }

    public <C> RunStream stream(Agent<C> agent, String input) {
        return stream(agent, input, RunOptions.none());
    }

    public <C> RunStream stream(Agent<C> agent, String input, RunOptions<C> options) {
        return stream(agent, List.of(Message.user(input)), options);
    }

    /**
     * Starts the run on a virtual thread and returns its events as they happen, with text deltas
     * where the model streams. Close the stream to stop the run.
     */
    public <C> RunStream stream(Agent<C> agent, List<Item> input, RunOptions<C> options) {
        checkArguments(agent, input, options);
        Cancellation cancellation = new Cancellation();
        RunStream stream = new RunStream(cancellation);
        RunLoop<C> loop = new RunLoop<>(this, agent, input, options, cancellation, true, stream::offer);
        Thread.ofVirtual().name("baton-stream").start(() -> {
            cancellation.bind(Thread.currentThread());
            try {
                stream.complete(loop.execute());
            } catch (Throwable t) {
                stream.fail(t);
            }
        });
        return stream;
    }

    /**
     * A run nested in another (an agent used as a tool), on the calling thread: started on
     * {@code input}, or continuing {@code resume}. {@code sink} receives its events.
     */
    <C> RunResult runNested(Agent<C> agent, String input, @Nullable RunState resume, RunOptions<C> options, boolean streaming,
            java.util.function.@Nullable Consumer<RunEvent> sink) {
        Cancellation cancellation = new Cancellation();
        cancellation.bind(Thread.currentThread());
        RunLoop<C> loop = resume != null
                ? new RunLoop<>(this, agent, resume, options, cancellation, streaming, sink)
                : new RunLoop<>(this, agent, List.of(Message.user(input)), options, cancellation, streaming, sink);
        return loop.execute();
    }

    private static void checkArguments(Agent<?> agent, List<Item> input, RunOptions<?> options) {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(options, "options");
        for (Item item : input) {
            Objects.requireNonNull(item, "input item");
        }
    }

    /** The model an agent uses in a run: a human agent's person; else the run's override, the agent's, then the runner's default. */
    <C> Model resolveModel(Agent<C> agent, RunOptions<C> options) {
        if (HumanAccess.isHuman(agent)) {
            return agent.model(); // a person answers: a run's model override is for models, not people
        }
        if (options.model() != null) {
            return options.model();
        }
        if (options.modelName() != null) {
            return modelNamed(options.modelName());
        }
        if (agent.model() != null) {
            return agent.model();
        }
        if (agent.modelName() != null) {
            return modelNamed(agent.modelName());
        }
        if (config.defaultModel() != null) {
            return config.defaultModel();
        }
        if (config.defaultModelName() != null) {
            return modelNamed(config.defaultModelName());
        }
        throw new UserError("Agent '" + agent.name() + "' has no model: set one on the agent (model(...)), "
                + "in the run options (withModel(...)), or as the runner's default (RunConfig.builder().defaultModel(...))");
    }

    private Model modelNamed(String name) {
        Model cached = modelsByName.get(name);
        if (cached != null) {
            return cached;
        }
        Model model = provider(name).model(name);
        if (model == null) {
            throw new UserError("Model provider returned no model for '" + name + "'");
        }
        modelsByName.putIfAbsent(name, model);
        return model;
    }

    private ModelProvider provider(String name) {
        if (config.modelProvider() != null) {
            return config.modelProvider();
        }
        ModelProvider p = discoveredProvider;
        if (p == null) {
            p = ServiceLoader.load(ModelProvider.class).findFirst().orElseThrow(() -> new UserError(
                    "No model provider can resolve the model name '" + name + "': configure one with "
                            + "RunConfig.builder().modelProvider(...), add a provider module (e.g. baton-openai) "
                            + "to the classpath, or give the agent a Model instance"));
            discoveredProvider = p;
        }
        return p;
    }

    /** A future whose cancellation stops the run. */
    private static final class CancellableFuture extends CompletableFuture<RunResult> {
        private final Cancellation cancellation;

        CancellableFuture(Cancellation cancellation) {
            this.cancellation = cancellation;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            // Complete as cancelled first, so the run's own RunCancelled cannot win the race.
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                // Only a run still going is stopped: after completion the thread runs the caller's stages.
                cancellation.cancel();
            }
            return cancelled;
        }
    }
}
