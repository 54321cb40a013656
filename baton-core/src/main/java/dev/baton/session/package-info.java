/** Sessions: a conversation's items and the agent holding it, behind the {@link dev.baton.session.SessionStore} SPI. */
@NullMarked
package dev.baton.session;

import org.jspecify.annotations.NullMarked;
