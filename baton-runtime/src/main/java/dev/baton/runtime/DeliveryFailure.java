package dev.baton.runtime;

/**
 * Why a message was not handled. A {@link AgentRuntime#send send} fails with a
 * {@link DeliveryException} carrying it; a {@link AgentRuntime#publish publish} leaves a
 * {@link DeadLetter} with it.
 */
public enum DeliveryFailure {
    /** No subscription matches the topic the message was published on. */
    NO_SUBSCRIBER,
    /** The recipient's agent type was never {@link AgentRuntime#register registered}. */
    UNKNOWN_AGENT_TYPE,
    /** The agent's factory threw, or returned nothing, so there is no instance to handle the message. */
    AGENT_CREATION_FAILED,
    /** The agent has no handler for the message's type. */
    NO_HANDLER,
    /** The handler threw. */
    HANDLER_FAILED,
    /** The runtime was stopped before the message was handled. */
    STOPPED,
    /** The recipient answered {@link NotHandledHere}, and no other instance of it answered. */
    DECLINED,
    /**
     * The message could not be read where it arrived: its serialised form is no envelope, names a
     * message type the reader has not registered, or does not fit its class (a transport across
     * processes, such as Kafka's, reports it).
     */
    UNREADABLE
}
