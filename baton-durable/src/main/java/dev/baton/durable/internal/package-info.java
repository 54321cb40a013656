/**
 * Not API: what {@code baton-durable} shares with Baton's other modules (the run stores of
 * {@code baton-jdbc}). It may change in any release; applications must not use it.
 */
@NullMarked
package dev.baton.durable.internal;

import org.jspecify.annotations.NullMarked;
