/**
 * Not API: the runtime's mailboxes, idle tracking, handler tables and ids, shared by the classes
 * of {@code dev.baton.runtime}. May change in any release.
 */
@NullMarked
package dev.baton.runtime.internal;

import org.jspecify.annotations.NullMarked;
