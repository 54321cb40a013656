package dev.baton.human;

import dev.baton.NobodyAnswered;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.ModelBehaviorError;
import dev.baton.internal.HumanAccess;
import dev.baton.internal.Schemas;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.model.HandoffSpec;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "model" of a human agent: it asks a person through the channel and answers with their reply.
 * A person answering through the ordinary {@link Model} interface means the loop, sessions,
 * journaling and events need no special case for people: the reply is an assistant message, a
 * hand-back a call of the transfer function.
 */
final class HumanModel implements Model {
    private static final Logger LOG = LoggerFactory.getLogger(HumanModel.class);

    private final HumanChannel channel;
    private final Duration timeout;
    /** The reply when nobody answers, or null to fail with {@link NobodyAnswered}. */
    private final @Nullable String whenNobodyAnswers;

    HumanModel(HumanChannel channel, Duration timeout, @Nullable String whenNobodyAnswers) {
        this.channel = channel;
        this.timeout = timeout;
        this.whenNobodyAnswers = whenNobodyAnswers;
    }

    @Override
    public ModelResponse respond(ModelRequest request) {
        HumanAccess.Turn turn = HumanAccess.turn();
        HumanRequest question = new HumanRequest(request.agent(), request.instructions(), request.input(),
                request.handoffs().stream().map(h -> new HumanRequest.HandoffOption(h.targetAgent(), h.tool().description())).toList(),
                Instant.now().plus(timeout), turn == null ? null : turn.runId(), turn == null ? null : turn.sessionId());
        Optional<HumanReply> answer = channel.ask(question);
        if (answer == null) {
            throw new IllegalStateException("The channel of human agent '" + request.agent() + "' (" + channel.getClass().getName()
                    + ") returned null; a channel returns Optional.empty() when nobody answered");
        }
        if (answer.isEmpty()) {
            return nobodyAnswered(request.agent());
        }
        return toResponse(request, question, answer.get());
    }

    private ModelResponse nobodyAnswered(String agent) {
        if (whenNobodyAnswers == null) {
            throw new NobodyAnswered(agent, timeout, describe(timeout));
        }
        LOG.warn("Nobody answered for human agent '{}' within {}; it replied: {}", agent, describe(timeout), whenNobodyAnswers);
        return new ModelResponse(List.of(new Message(Message.Role.ASSISTANT, whenNobodyAnswers, HumanAgent.NOBODY_ANSWERED)),
                new Usage(1, 0, 0, 0, 0, 0));
    }

    private static ModelResponse toResponse(ModelRequest request, HumanRequest question, HumanReply reply) {
        List<Item> output = new ArrayList<>(2);
        if (!reply.text().isBlank()) {
            output.add(Message.assistant(reply.text()));
        }
        if (reply.handoff() != null) {
            try {
                question.check(reply);
            } catch (IllegalArgumentException e) {
                throw new ModelBehaviorError(e.getMessage(), reply.text(), e);
            }
            HandoffSpec spec = request.handoffTo(reply.handoff());
            output.add(new ToolCall("call_human_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()),
                    spec.toolName(), arguments(reply)));
        }
        return new ModelResponse(output, new Usage(1, 0, 0, 0, 0, 0));
    }

    private static String arguments(HumanReply reply) {
        if (reply.handoffInput() == null) {
            return "{}";
        }
        try {
            return Schemas.mapper().writeValueAsString(reply.handoffInput());
        } catch (JsonProcessingException e) {
            throw new ModelBehaviorError("The handoff input of a person's reply cannot be written as JSON: " + e.getOriginalMessage(),
                    reply.text(), e);
        }
    }

    Duration timeout() {
        return timeout;
    }

    /** "250 ms", "90 s", "5 min": for messages people read. */
    static String describe(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + " ms";
        }
        if (d.toSeconds() < 120 || d.toSeconds() % 60 != 0) {
            return d.toSeconds() + " s";
        }
        return d.toMinutes() + " min";
    }
}
