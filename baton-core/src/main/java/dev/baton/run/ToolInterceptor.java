package dev.baton.run;

import java.util.Objects;

/**
 * A link of the chain around every tool call of a run: it sees the call, may change the
 * arguments the tool gets (redaction), answer in the tool's place (a cache, a rate limit), or
 * pass it on with {@link Next#proceed} and look at or change the outcome the model reads. Links
 * run in the order they were added, the runner's ({@link RunConfig.Builder#toolInterceptor})
 * before the run's ({@link RunOptions#withToolInterceptor}); the call's span, tool guardrails and
 * hooks are the innermost part of the chain. The engine sits outside the whole chain: a call it
 * replays from a journal runs no link again. Calls of one turn may run concurrently: a link must
 * be thread-safe.
 */
@FunctionalInterface
public interface ToolInterceptor {

    Engine.ToolOutcome intercept(ToolInvocation call, Next next);

    /** The rest of the chain, down to the tool. */
    @FunctionalInterface
    interface Next {
        Engine.ToolOutcome proceed(ToolInvocation call);
    }

    /**
     * A tool call as the chain sees it.
     *
     * @param arguments the arguments (JSON text) the tool will get; the model's own call keeps what it wrote
     */
    record ToolInvocation(String runId, String agent, String tool, String callId, String arguments) {
        public ToolInvocation {
            Objects.requireNonNull(arguments, "arguments");
        }

        /** The same call with other arguments for the tool. */
        public ToolInvocation withArguments(String value) {
            return new ToolInvocation(runId, agent, tool, callId, value);
        }
    }
}
