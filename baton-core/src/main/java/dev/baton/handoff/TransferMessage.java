package dev.baton.handoff;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.baton.agent.Agent;
import java.util.Objects;

/**
 * The text that answers a handoff's transfer call when the handoff takes place: the first thing
 * the target agent reads about its new role. By default it is {@code {"assistant":"<target name>"}};
 * some models take over more reliably when told plainly, e.g.
 * {@code (from, to) -> "Transferred to " + to.name() + ". Adopt persona immediately."}.
 *
 * <p>Set it per handoff ({@link Handoff#transferMessage(TransferMessage)}), per run
 * ({@code RunOptions.withTransferMessage}) or per runner ({@code RunConfig.Builder.transferMessage});
 * the handoff's wins over the run's, the run's over the runner's.
 */
@FunctionalInterface
public interface TransferMessage {

    /**
     * The text for a handoff from {@code from} to {@code to}. Must not return null; a function
     * that throws or returns null fails the run with a {@link dev.baton.CallbackFailed}.
     */
    String text(Agent<?> from, Agent<?> to);

    /** The same text for every handoff. */
    static TransferMessage fixed(String text) {
        Objects.requireNonNull(text, "text");
        return (from, to) -> text;
    }

    /** The default: {@code {"assistant":"<target name>"}}, the target's name as a JSON object. */
    static TransferMessage defaultMessage() {
        return (from, to) -> "{\"assistant\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(to.name())) + "\"}";
    }
}
