package dev.baton.run;

import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A link of the chain around every model call of a run: it sees the call, may change it, answer
 * it itself (a cache), or pass it on with {@link Next#proceed} and look at or change the response.
 * Links run in the order they were added, the runner's ({@link RunConfig.Builder#modelInterceptor})
 * before the run's ({@link RunOptions#withModelInterceptor}); the run's own tracing and hooks are
 * the innermost part of the chain, so they see the call as it reaches the model. The engine sits
 * outside the whole chain: a call it replays from a journal runs no link again.
 *
 * <pre>{@code
 * ModelInterceptor cache = (call, next) -> answers.computeIfAbsent(call.request().input(), k -> next.proceed(call));
 * }</pre>
 */
@FunctionalInterface
public interface ModelInterceptor {

    ModelResponse intercept(ModelCall call, Next next);

    /** The rest of the chain, down to the model. */
    @FunctionalInterface
    interface Next {
        ModelResponse proceed(ModelCall call);
    }

    /**
     * A model call as the chain sees it.
     *
     * @param runId the run making it
     * @param agent the agent whose turn it is
     * @param model the model's name, if the run knows it
     * @param request what the model is asked
     */
    record ModelCall(String runId, String agent, @Nullable String model, ModelRequest request) {
        public ModelCall {
            Objects.requireNonNull(request, "request");
        }

        /** The same call with another request (redacted, shortened, re-routed settings). */
        public ModelCall withRequest(ModelRequest value) {
            return new ModelCall(runId, agent, model, value);
        }
    }
}
