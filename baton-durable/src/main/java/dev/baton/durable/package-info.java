/**
 * Durable runs: every run journaled to a {@link dev.baton.durable.RunStore}, resumed after a crash
 * without repeating finished model or tool calls, paused durably for human approval, started
 * fire-and-forget with a {@link dev.baton.durable.RunHandle}, and inspectable afterwards.
 *
 * <p>The run loop is the same one {@link dev.baton.run.Runner} uses; a durable run only gives it
 * an engine ({@link dev.baton.run.Engine}) that journals every step it performs and replays recorded ones.
 */
@NullMarked
package dev.baton.durable;

import org.jspecify.annotations.NullMarked;
