/** Conversation items (what models read and sessions store) and run items (what happened in a run). */
@NullMarked
package dev.baton.item;

import org.jspecify.annotations.NullMarked;
