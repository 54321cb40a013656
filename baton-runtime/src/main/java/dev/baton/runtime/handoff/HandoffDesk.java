package dev.baton.runtime.handoff;

import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.internal.AgentAccess;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import dev.baton.runtime.AgentRuntime;
import dev.baton.runtime.MessageTypes;
import dev.baton.runtime.Subscription;
import dev.baton.runtime.TopicId;
import dev.baton.durable.DurableWorker;
import dev.baton.durable.RunStore;
import dev.baton.session.SessionStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A Baton desk on the publish/subscribe runtime (the handoff pattern of seed 001): every agent
 * reachable from the entry agent through handoffs is hosted as a runtime agent of the same name,
 * subscribed to the topic type of that name; a session's id is the topic source, so each session
 * has its own instances. A handoff publishes the conversation to the target's topic; an answer
 * goes to the user topic, where a {@link UserAgent} hears it for the person; calls waiting for
 * approval go to the approvals topic.
 *
 * <p>Turns run in this process by the runner unless {@link Builder#journaled(RunStore)} makes
 * each a durable run journaled in a run store, which a desk served by several processes (on Kafka)
 * needs: a message handled again after a crash replays the recorded model and tool calls.
 *
 * <p>The conversation is a Baton session: each turn runs on the session (in the runner's session
 * store), which keeps the items and the agent that holds the conversation, so a runtime
 * conversation can be read and continued like any other.
 *
 * <pre>{@code
 * HandoffDesk<Acme> desk = HandoffDesk.builder(triage, runner).context(session -> new Acme(backend)).build();
 * desk.host(runtime);                        // the agents
 * desk.hostUser(runtime, person);            // the person's proxy
 * desk.login(runtime, "session-1");
 * runtime.stopWhenIdle();
 * }</pre>
 */
public final class HandoffDesk<C> implements AutoCloseable {
    /** The user topic's type unless set. */
    public static final String USER_TOPIC = "user";
    /** The approvals topic's type unless set. */
    public static final String APPROVALS_TOPIC = "approvals";
    /** How many journaled turns a process takes at once unless {@link Builder#maxConcurrentTurns} says otherwise. */
    public static final int JOURNALED_TURNS_AT_ONCE = 64;

    private final String name;
    private final Agent<C> entry;
    private final Map<String, Agent<C>> agents;
    private final @Nullable DurableWorker worker;
    private final Runner runner;
    private final Turns turns;
    private final Function<String, @Nullable C> context;
    private final UnaryOperator<RunOptions<C>> runOptions;
    private final String userTopic;
    private final String approvalsTopic;

    private HandoffDesk(Builder<C> b) {
        this.name = b.name != null ? b.name : b.entry.name();
        this.entry = b.entry;
        this.agents = AgentAccess.reachableAgents(b.entry);
        this.runner = b.runner;
        this.context = b.context;
        this.runOptions = b.runOptions;
        this.userTopic = b.userTopic;
        this.approvalsTopic = b.approvalsTopic;
        for (String reserved : List.of(userTopic, approvalsTopic)) {
            if (agents.containsKey(reserved)) {
                throw new UserError("Agent '" + reserved + "' has the name of the desk's " + reserved
                        + " topic type: rename the agent or choose another topic type");
            }
        }
        if (b.journal != null) {
            // Runs this worker takes over (their process died) get the options a turn gets.
            this.worker = DurableWorker.builder(b.runner, b.journal).application(name, entry).lease(b.lease)
                    .runOptions(record -> optionsFor(Objects.requireNonNull(record.sessionId(), "a turn's session")))
                    .build().start();
            Turns journaled = new JournaledTurns(worker, name, b.runner.config().sessionStore(), b.lease);
            int limit = b.maxConcurrentTurns != null ? b.maxConcurrentTurns : JOURNALED_TURNS_AT_ONCE;
            this.turns = limit == 0 ? journaled : new LimitedTurns(journaled, limit);
        } else {
            this.worker = null;
            Turns own = b.turns != null ? b.turns : Turns.of(b.runner);
            this.turns = b.maxConcurrentTurns == null || b.maxConcurrentTurns == 0 ? own : new LimitedTurns(own, b.maxConcurrentTurns);
        }
    }

    /** A desk entered through {@code entry}, whose turns {@code runner} takes on its session store. */
    public static <C> Builder<C> builder(Agent<C> entry, Runner runner) {
        return new Builder<>(entry, runner);
    }

    /** The message types of the pattern, for a runtime's codec (a transport across processes needs them). */
    public static void registerMessageTypes(MessageTypes types) {
        types.register(UserLogin.class).register(UserTask.class).register(AgentResponse.class)
                .register(ApprovalRequired.class).register(ApprovalDecision.class).register(TurnFailed.class)
                .register(HumanQuestion.class).register(HumanAnswer.class);
    }

    /**
     * Hosts the desk's agents on {@code runtime}: a runtime agent type per Baton agent, named like
     * it and subscribed to the topic type of its name.
     *
     * @throws IllegalStateException if the runtime already has one of these agent types
     */
    public void host(AgentRuntime runtime) {
        registerMessageTypes(runtime.codec().types());
        for (Agent<C> agent : agents.values()) {
            runtime.register(agent.name(), id -> new AgentHost<>(agent, this));
            runtime.subscribe(Subscription.byType(agent.name(), agent.name()));
        }
    }

    /**
     * Hosts the person's proxy on {@code runtime}: a {@link UserAgent} of type {@code user_agent}
     * subscribed to the user and approvals topics; a session's first message goes to the agent
     * that holds it, the entry agent for a new one.
     */
    public void hostUser(AgentRuntime runtime, Person person) {
        registerMessageTypes(runtime.codec().types());
        runtime.register(USER_AGENT, id -> new UserAgent(person, this::holder, true)); // one person for every session
        runtime.subscribe(Subscription.byType(userTopic, USER_AGENT));
        runtime.subscribe(Subscription.byType(approvalsTopic, USER_AGENT));
    }

    /** The agent type of the person's proxy. */
    public static final String USER_AGENT = "user_agent";

    /** Opens {@code session}: its user agent asks the person for the first message. */
    public void login(AgentRuntime runtime, String session) {
        runtime.publish(UserLogin.anonymous(), new TopicId(userTopic, session));
    }

    /**
     * Publishes the person's {@code text} on {@code session} to the agent that holds the
     * conversation (the entry agent for a new one), for callers that talk without a user agent,
     * such as an HTTP endpoint.
     */
    public void say(AgentRuntime runtime, String session, String text) {
        runtime.publish(UserTask.say(text), new TopicId(holder(session), session));
    }

    /** The topic type of the agent that holds {@code session}: the agent's name, or the entry agent's for a new session. */
    public String holder(String session) {
        SessionStore store = runner.config().sessionStore();
        return store.activeAgent(session).filter(agents::containsKey).orElse(entry.name());
    }

    /** The desk's name: the application of its journaled turns ({@code baton runs}, the web UI). */
    public String name() {
        return name;
    }

    /**
     * Stops the worker of journaled turns, if any: the turns it was taking stay running in the
     * store, for the process that handles their messages again.
     */
    @Override
    public void close() {
        if (worker != null) {
            worker.close();
        }
    }

    /** The agent that the handoff tool {@code toolName} of one of the desk's agents transfers to; empty for any other tool. */
    public Optional<String> handoffTarget(String toolName) {
        for (Agent<C> agent : agents.values()) {
            var handoff = agent.handoff(toolName);
            if (handoff != null) {
                return Optional.of(handoff.targetName());
            }
        }
        return Optional.empty();
    }

    /** The names of the hosted agents, which are also their topic types. */
    public List<String> agents() {
        return List.copyOf(agents.keySet());
    }

    public String userTopic() {
        return userTopic;
    }

    public String approvalsTopic() {
        return approvalsTopic;
    }

    Turns turns() {
        return turns;
    }

    /** The options of a turn on {@code session}. */
    RunOptions<C> optionsFor(String session) {
        RunOptions<C> options = RunOptions.<C>session(session).withHandoffsToCaller(true);
        C ctx = context.apply(session);
        if (ctx != null) {
            options = options.withContext(ctx);
        }
        return Objects.requireNonNull(runOptions.apply(options), "runOptions returned null").withHandoffsToCaller(true);
    }

    /** Configures a {@link HandoffDesk}. */
    public static final class Builder<C> {
        private final Agent<C> entry;
        private final Runner runner;
        private @Nullable String name;
        private @Nullable Turns turns;
        private @Nullable RunStore journal;
        private Duration lease = Duration.ofSeconds(10);
        private Function<String, @Nullable C> context = session -> null;
        private UnaryOperator<RunOptions<C>> runOptions = UnaryOperator.identity();
        private String userTopic = USER_TOPIC;
        private String approvalsTopic = APPROVALS_TOPIC;
        private @Nullable Integer maxConcurrentTurns;

        private Builder(Agent<C> entry, Runner runner) {
            this.entry = Objects.requireNonNull(entry, "entry");
            this.runner = Objects.requireNonNull(runner, "runner");
        }

        /** The desk's name (the entry agent's unless set): the application its journaled turns are recorded under. */
        public Builder<C> name(String value) {
            this.name = requireTopicType(value, "name");
            return this;
        }

        /** How turns are taken, instead of by the runner in this process. */
        public Builder<C> turns(Turns value) {
            this.turns = Objects.requireNonNull(value, "turns");
            this.journal = null;
            return this;
        }

        /**
         * Journals every turn in {@code store} as a durable run, for a desk that several processes
         * serve: a turn left running by a process that died is taken over {@code lease} after its
         * last heartbeat (ten seconds unless set) by the process its message is delivered to again.
         * The runner's session store must be shared by those processes too. Close the desk to stop
         * the worker that executes the turns.
         */
        public Builder<C> journaled(RunStore store) {
            this.journal = Objects.requireNonNull(store, "store");
            this.turns = null;
            return this;
        }

        /** {@link #journaled(RunStore)} with the lease of its turns. */
        public Builder<C> journaled(RunStore store, Duration lease) {
            this.lease = Objects.requireNonNull(lease, "lease");
            return journaled(store);
        }

        /**
         * Takes at most {@code value} turns at once in this process (0: no limit); the sessions'
         * other messages wait in their mailboxes. Journaled desks take {@value HandoffDesk#JOURNALED_TURNS_AT_ONCE}
         * unless set: each turn writes its journal step after step, and more turns than the store's
         * connections can serve only queue for a connection until the pool's timeout fails them.
         * Other desks have no limit unless set. A human agent's turns do not count (a person may
         * take minutes to answer).
         */
        public Builder<C> maxConcurrentTurns(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("maxConcurrentTurns must be 0 (no limit) or more: " + value);
            }
            this.maxConcurrentTurns = value;
            return this;
        }

        /** The run context of a session's turns, made from the session id. */
        public Builder<C> context(Function<String, @Nullable C> value) {
            this.context = Objects.requireNonNull(value, "context");
            return this;
        }

        /** Refines each turn's options (model, hooks, guardrails, ...); handoffs always go back to the host. */
        public Builder<C> runOptions(UnaryOperator<RunOptions<C>> value) {
            this.runOptions = Objects.requireNonNull(value, "runOptions");
            return this;
        }

        /** The topic type answers are published on ({@value HandoffDesk#USER_TOPIC} unless set). */
        public Builder<C> userTopic(String value) {
            this.userTopic = requireTopicType(value, "userTopic");
            return this;
        }

        /** The topic type approval requests are published on ({@value HandoffDesk#APPROVALS_TOPIC} unless set). */
        public Builder<C> approvalsTopic(String value) {
            this.approvalsTopic = requireTopicType(value, "approvalsTopic");
            return this;
        }

        /** @throws UserError if an agent has the name of the user or approvals topic type */
        public HandoffDesk<C> build() {
            return new HandoffDesk<>(this);
        }

        private static String requireTopicType(String value, String what) {
            if (value == null || value.isBlank()) {
                throw new UserError(what + " must be a topic type, not '" + value + "'");
            }
            return value;
        }
    }
}
