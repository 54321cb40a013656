/**
 * The built-in offline model: a deterministic, rule-based {@link dev.baton.model.Model} for demos
 * and tests. It needs no network and no API key, answers in microseconds, and can say which rule
 * produced each answer ({@link dev.baton.offline.OfflineModel#explain}). See
 * {@code docs/offline-model.md} for the rules and their limits.
 */
@NullMarked
package dev.baton.offline;

import org.jspecify.annotations.NullMarked;
