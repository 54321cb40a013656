/**
 * Testing kit for Baton applications and extensions: a {@link dev.baton.testing.ScriptedModel}
 * that answers from a script instead of the network, runs scripted event by event
 * ({@link dev.baton.testing.MockRun#mockRun}), fluent assertions on run results
 * ({@link dev.baton.testing.BatonAssertions}), and the abstract conformance suites every
 * {@link dev.baton.session.SessionStore} and {@link dev.baton.model.Model} implementation must pass.
 */
@NullMarked
package dev.baton.testing;

import org.jspecify.annotations.NullMarked;
