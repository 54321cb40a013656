package dev.baton.cli.desk;

import dev.baton.RunCancelled;
import dev.baton.item.Message;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import java.util.List;

/**
 * The "model" of a human agent: it asks the {@link Operator} at the console and returns their line
 * as the assistant's message. A person answering through the ordinary {@link Model} interface means
 * the runner, sessions and events need no special case for humans. When no one answers (the
 * input ended) it throws {@link RunCancelled}, which a durable runner takes as a stop, not an end:
 * the run stays resumable.
 */
final class HumanModel implements Model {
    static final String PROMPT = "Reply as the human agent:";

    private final Operator operator;

    HumanModel(Operator operator) {
        this.operator = operator;
    }

    @Override
    public ModelResponse respond(ModelRequest request) {
        String reply = operator.ask(PROMPT);
        if (reply == null) {
            // Not a failure of the run: it stops where it is (a durable run stays resumable) and
            // the operator answers when it is resumed.
            throw new RunCancelled("the operator left without replying as the human agent (the input ended)");
        }
        reply = reply.strip();
        return new ModelResponse(List.of(Message.assistant(reply)), new Usage(1, 0, 0, 0, 0, 0));
    }
}
