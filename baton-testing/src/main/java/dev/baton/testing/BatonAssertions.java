package dev.baton.testing;

import dev.baton.run.RunResult;

/**
 * Entry point of Baton's fluent assertions. Import statically next to AssertJ's
 * {@code Assertions.assertThat}: the overloads do not clash. {@link #expect} is the same entry
 * point under the name used with {@link MockRun#mockRun mock runs}.
 */
public final class BatonAssertions {
    private BatonAssertions() {}

    /** Assertions on a finished run. */
    public static RunResultAssert assertThat(RunResult actual) {
        return new RunResultAssert(actual);
    }

    /**
     * The same assertions as {@link #assertThat(RunResult)}, under the name that reads best after a
     * {@link MockRun#mockRun mock run}: {@code expect(result).completed().handedOffTo("billing_specialist")}.
     */
    public static RunResultAssert expect(RunResult actual) {
        return new RunResultAssert(actual);
    }
}
