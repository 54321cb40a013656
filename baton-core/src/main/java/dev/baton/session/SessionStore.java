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
 *
 * <p>A run holds its session through a {@link SessionLease}: the store gives the session to one
 * owner at a time, across every process that shares the store, and the run writes through the
 * fenced methods (those taking the lease), which refuse a writer that lost the session. Leases are
 * kept apart from the conversation: {@link #clear} leaves them as they are.
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

    /**
     * Takes the session for {@code owner} if nobody holds it: no lease was ever taken, the last
     * one was released, or it expired. The new lease has a larger token than any lease the
     * session had before. The check and the taking are one atomic step, across processes.
     *
     * @param owner who takes it, named in errors of the runs that wait (never blank)
     * @param ttl how long the lease lasts unless renewed (positive)
     * @return the lease, or empty while another owner holds the session
     * @throws IllegalArgumentException for a blank owner or a ttl that is not positive
     */
    Optional<SessionLease> tryLease(String sessionId, String owner, java.time.Duration ttl);

    /**
     * Extends a lease to {@code ttl} from now, while its holder works. A lease that expired is
     * renewed too, as long as nobody took the session since.
     *
     * @return the renewed lease, or empty when the session changed hands (the lease is lost)
     * @throws IllegalArgumentException for a ttl that is not positive
     */
    Optional<SessionLease> renewLease(SessionLease lease, java.time.Duration ttl);

    /**
     * Gives the session back, so the next owner can take it at once. Releasing a lease that was
     * lost, or released before, changes nothing.
     */
    void releaseLease(SessionLease lease);

    /** The lease that holds the session now, if one does (released and expired leases hold nothing). */
    Optional<SessionLease> lease(String sessionId);

    /**
     * {@link #addItems(String, List)} for the holder of {@code lease}: checked and written in one
     * atomic step.
     *
     * @throws dev.baton.SessionLeaseLost when the session changed hands since the lease was
     *     taken; nothing is written
     */
    void addItems(SessionLease lease, List<Item> items);

    /**
     * {@link #addItemsOnce(String, String, List)} for the holder of {@code lease}: checked and
     * written in one atomic step.
     *
     * @throws dev.baton.SessionLeaseLost when the session changed hands since the lease was
     *     taken; nothing is written and the key stays free
     */
    boolean addItemsOnce(SessionLease lease, String writeKey, List<Item> items);

    /**
     * {@link #setActiveAgent(String, String)} for the holder of {@code lease}: checked and
     * written in one atomic step.
     *
     * @throws dev.baton.SessionLeaseLost when the session changed hands since the lease was
     *     taken; nothing is written
     */
    void setActiveAgent(SessionLease lease, String agentName);

    /**
     * {@link #recordUsage(String, String, dev.baton.model.Usage, java.time.Instant)} for the holder
     * of {@code lease}: checked and written in one atomic step, so a run that lost its session
     * cannot change the session's usage either.
     *
     * @throws dev.baton.SessionLeaseLost when the session changed hands since the lease was
     *     taken; nothing is written
     */
    void recordUsage(SessionLease lease, String runId, dev.baton.model.Usage usage, java.time.Instant at);
}
