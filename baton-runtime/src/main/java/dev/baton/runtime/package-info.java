/**
 * The publish/subscribe agent runtime: agents addressed by {@link dev.baton.runtime.AgentId}
 * (type and key), created lazily per key from a factory per type, each handling its messages one at
 * a time on a mailbox; messages published to a {@link dev.baton.runtime.TopicId} reach every
 * subscribed agent, messages sent to an agent answer with a reply. Start with
 * {@link dev.baton.runtime.AgentRuntime} and {@link dev.baton.runtime.RoutedAgent}; see
 * {@code docs/runtime.md}.
 */
@NullMarked
package dev.baton.runtime;

import org.jspecify.annotations.NullMarked;
