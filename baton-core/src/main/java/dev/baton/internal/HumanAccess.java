package dev.baton.internal;

import dev.baton.agent.Agent;
import dev.baton.human.HumanAgent;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Not API. Tells the runner whether an agent is a human agent (its turns answered by a person, so
 * a run's model override does not replace it). {@link HumanAgent} installs the implementation when
 * its class initialises.
 */
public final class HumanAccess {
    private static volatile @Nullable Predicate<Agent<?>> isHuman;
    private static final ThreadLocal<@Nullable Turn> TURN = new ThreadLocal<>();

    /** The run a human agent's turn belongs to, which its channel's request names. */
    public record Turn(String runId, @Nullable String sessionId) {}

    private HumanAccess() {}

    /** Called once, by {@code HumanAgent}'s static initialiser; later calls are refused. */
    public static synchronized void install(Predicate<Agent<?>> implementation) {
        isHuman = Accessors.once(isHuman, implementation, HumanAgent.class);
    }

    /** Whether {@code agent} is a human agent, answered by a person rather than a model. */
    public static boolean isHuman(Agent<?> agent) {
        return Accessors.get(isHuman, () -> isHuman, HumanAgent.class).test(agent);
    }

    /** Calls {@code call} (a human agent's model call) with {@link #turn()} telling {@code turn} on this thread. */
    public static <T> T during(Turn turn, Supplier<T> call) {
        Turn outer = TURN.get();
        TURN.set(turn);
        try {
            return call.get();
        } finally {
            TURN.set(outer);
        }
    }

    /** The run of the human agent's turn this thread performs, or null outside one. */
    public static @Nullable Turn turn() {
        return TURN.get();
    }
}
