package dev.baton.session;

import dev.baton.item.Item;
import java.util.List;
import java.util.Optional;

/**
 * Where sessions keep their conversation and the name of the agent holding it: the SPI that the
 * in-memory, SQLite and PostgreSQL stores implement. Every implementation must pass the session
 * conformance suite of {@code baton-testing}.
 *
 * <p>Each method is atomic for one session. A session that was never written reads as empty.
 */
public interface SessionStore {

    /**
     * The session's items in the order they were added.
     *
     * @param limit at most this many of the latest items; zero or negative for all of them
     */
    List<Item> items(String sessionId, int limit);

    /** Appends items at the end of the session, in order. */
    void addItems(String sessionId, List<Item> items);

    /**
     * Appends items once: when the session already took a write with this key, nothing changes.
     * A durable run saves each turn under a key of its own, so a run resumed after a crash can
     * save the turn again without duplicating it. The check and the write are one atomic step.
     *
     * @param writeKey identifies the write within the session (durable runs use their run id and
     *     a counter)
     * @return whether the items were added (false when the key was seen before)
     */
    boolean addItemsOnce(String sessionId, String writeKey, List<Item> items);

    /** Removes and returns the latest item, if any. */
    Optional<Item> popItem(String sessionId);

    /**
     * Records what a run on the session spent: one entry per run, in the order runs were first
     * recorded; recording the same run again replaces its usage (a paused run, when it finishes).
     * Instants are kept to the millisecond.
     */
    void recordUsage(String sessionId, String runId, dev.baton.model.Usage usage, java.time.Instant at);

    /** Usage per turn: each run recorded on the session, oldest first. */
    List<TurnUsage> usage(String sessionId);

    /** Forgets the session's items, active agent and usage. */
    void clear(String sessionId);

    /** The agent that held the conversation when the last run on this session ended or paused. */
    Optional<String> activeAgent(String sessionId);

    /** Records the agent that now holds the conversation. */
    void setActiveAgent(String sessionId, String agentName);
}
