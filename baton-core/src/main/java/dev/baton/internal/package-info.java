/**
 * Not API: types Baton's own packages share across package boundaries. They may change in any
 * release; applications must not use them.
 */
@NullMarked
package dev.baton.internal;

import org.jspecify.annotations.NullMarked;
