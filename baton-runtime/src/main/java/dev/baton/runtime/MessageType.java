package dev.baton.runtime;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The stable name a message type is known by in envelopes, dead letters and (later) on Kafka, so a
 * class can be renamed or moved without breaking messages already written. Without it the name is
 * the class's simple name.
 *
 * <pre>{@code
 * @MessageType("support.UserTask")
 * record UserTask(String text) {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface MessageType {

    /** The name, e.g. {@code support.UserTask}. */
    String value();
}
