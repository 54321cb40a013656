/**
 * Testing kit for Baton applications and extensions: a {@link dev.baton.testing.ScriptedModel}
 * that answers from a script instead of the network, fluent assertions on run results
 * ({@link dev.baton.testing.BatonAssertions}), and the abstract conformance suites every
 * {@link dev.baton.session.SessionStore} and {@link dev.baton.model.Model} implementation must pass.
 */
@NullMarked
package dev.baton.testing;

import org.jspecify.annotations.NullMarked;
