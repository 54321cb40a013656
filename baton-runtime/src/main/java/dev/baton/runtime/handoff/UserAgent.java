package dev.baton.runtime.handoff;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.runtime.MessageContext;
import dev.baton.runtime.RoutedAgent;
import dev.baton.runtime.TopicId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The person's proxy in the runtime, one instance per session, subscribed to the user topic: on
 * {@link UserLogin} it asks the {@link Person} for the first message and publishes it to the agent
 * that holds the conversation (the entry agent for a new one); on each {@link AgentResponse} it
 * shows the answer and publishes the person's next message to the topic the answer names, so the
 * agent that answered (or the one it handed to) hears it.
 */
public final class UserAgent extends RoutedAgent {
    private final Person person;
    private final Function<String, String> firstTopic;
    private final boolean dormant;

    /**
     * @param person who writes the messages
     * @param firstTopic the topic type a session's first message goes to, given the session id
     */
    public UserAgent(Person person, Function<String, String> firstTopic) {
        this(person, firstTopic, false);
    }

    /** @param dormant whether the instance may be let go between messages: when one person serves every session */
    UserAgent(Person person, Function<String, String> firstTopic, boolean dormant) {
        this.person = Objects.requireNonNull(person, "person");
        this.firstTopic = Objects.requireNonNull(firstTopic, "firstTopic");
        this.dormant = dormant;
        on(UserLogin.class, this::loggedIn);
        on(AgentResponse.class, this::answered);
        on(ApprovalRequired.class, (approval, context) -> person.waiting(id().key(), approval));
        on(TurnFailed.class, this::failed);
    }

    private void loggedIn(UserLogin login, MessageContext context) {
        String session = id().key();
        person.firstMessage(session).ifPresent(text -> tell(firstTopic.apply(session), text, List.of()));
    }

    private void answered(AgentResponse answer, MessageContext context) {
        person.reply(id().key(), answer).ifPresent(text -> tell(answer.replyToTopicType(), text, answer.conversation()));
    }

    private void failed(TurnFailed failure, MessageContext context) {
        person.afterFailure(id().key(), failure).ifPresent(text -> tell(failure.replyToTopicType(), text, List.of()));
    }

    private void tell(String topicType, String text, List<Item> conversation) {
        List<Item> seen = new ArrayList<>(conversation.size() + 1);
        seen.addAll(conversation);
        seen.add(Message.user(text));
        publish(new UserTask(text, seen, null), new TopicId(topicType, id().key()));
    }

    /**
     * A user agent keeps nothing between messages; it may be let go when its person serves every
     * session ({@link HandoffDesk#hostUser}). A factory that makes a person per instance keeps it.
     */
    @Override
    protected boolean dormantWhenIdle() {
        return dormant;
    }
}
