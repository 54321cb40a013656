/** Baton: agents that hand a live conversation to each other. Errors every run can raise live here. */
@NullMarked
package dev.baton;

import org.jspecify.annotations.NullMarked;
