package dev.baton.kafka;

/**
 * No Kafka broker answered at the configured bootstrap servers within the allowed time. The message
 * names the servers, the time waited and what the client saw, so the fix (start the broker, correct
 * the address) is clear from it alone.
 */
public final class KafkaUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    KafkaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
