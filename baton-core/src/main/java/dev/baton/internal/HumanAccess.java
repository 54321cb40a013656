package dev.baton.internal;

import dev.baton.agent.Agent;
import dev.baton.human.HumanAgent;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Not API. Tells the runner whether an agent is a human agent (its turns answered by a person, so
 * a run's model override does not replace it). {@link HumanAgent} installs the implementation when
 * its class initialises.
 */
public final class HumanAccess {
    private static volatile @Nullable Predicate<Agent<?>> isHuman;

    private HumanAccess() {}

    /** Called once, by {@code HumanAgent}'s static initialiser; later calls are refused. */
    public static synchronized void install(Predicate<Agent<?>> implementation) {
        isHuman = Accessors.once(isHuman, implementation, HumanAgent.class);
    }

    /** Whether {@code agent} is a human agent, answered by a person rather than a model. */
    public static boolean isHuman(Agent<?> agent) {
        return Accessors.get(isHuman, () -> isHuman, HumanAgent.class).test(agent);
    }
}
