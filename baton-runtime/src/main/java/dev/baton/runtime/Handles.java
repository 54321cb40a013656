package dev.baton.runtime;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a {@link RoutedAgent} as the handler of the message type of its first
 * parameter. The method takes {@code (Message)} or {@code (Message, MessageContext)}; what it
 * returns is the reply to a {@link AgentRuntime#send send} ({@code void} replies {@code null}), and
 * is ignored for a published message.
 *
 * <pre>{@code
 * @Handles
 * Pong ping(Ping ping, MessageContext context) { return new Pong(ping.n()); }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Handles {}
