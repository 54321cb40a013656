/**
 * Baton's server: an HTTP API (JSON under {@code /api}) over durable runs, with a
 * {@link dev.baton.durable.DurableWorker} in the same process executing the runs of its desks.
 * Start one with {@link dev.baton.server.BatonServer#builder()}; the endpoints are described in
 * {@code docs/server.md}.
 */
@NullMarked
package dev.baton.server;

import org.jspecify.annotations.NullMarked;
