package dev.baton.cli.desk;

import dev.baton.agent.Agent;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A support desk: agents with their tools, backed by in-memory services with sample data. The
 * {@code baton} command chats with a desk, runs single turns on it and demonstrates it. Each desk
 * is an ordinary example of Baton code that a user can copy.
 *
 * <p>A desk may own processes and connections (the support desk's help center is an MCP server it
 * starts): whoever creates a desk closes it when done with it.
 *
 * @param <C> the run context the desk's agents share (created per run by {@link #newContext()})
 */
public interface Desk<C> extends AutoCloseable {

    /** The desk's name on the command line: {@code support}, {@code acme} or {@code rma}. */
    String name();

    /** One line saying what the desk does, for banners and {@code --help}. */
    String title();

    /** The agent a conversation starts with (triage). Every agent of the desk is reachable from it. */
    Agent<C> entry();

    /** A fresh context for one run. */
    C newContext();

    /**
     * What a person deciding a tool call of this desk should know that its arguments do not say
     * (for a refund by item id: the item and its price), or null.
     */
    default @Nullable String explain(String tool, String arguments) {
        return null;
    }

    /**
     * Ends what the desk started (a tool server's process); its agents are not to be run after. Does
     * nothing for a desk that started nothing, and nothing the second time.
     */
    @Override
    default void close() {}

    /**
     * The non-interactive walkthrough of {@code baton demo}: customer messages in order, each on the
     * session it names, with what the step is meant to show.
     */
    List<DemoStep> demo();

    /**
     * One step of a demo.
     *
     * @param session the session the message goes to (steps on one session continue a conversation)
     * @param message what the customer writes
     * @param shows what the step demonstrates, printed before it (for example "an approval pause")
     */
    record DemoStep(String session, String message, String shows) {}
}
