package dev.baton.testing;

import dev.baton.run.RunResult;

/**
 * Entry point of Baton's fluent assertions. Import statically next to AssertJ's
 * {@code Assertions.assertThat}: the overloads do not clash.
 */
public final class BatonAssertions {
    private BatonAssertions() {}

    /** Assertions on a finished run. */
    public static RunResultAssert assertThat(RunResult actual) {
        return new RunResultAssert(actual);
    }
}
