/** Lifecycle hooks: callbacks when agents start and end, call models, run tools and hand off. */
@NullMarked
package dev.baton.hook;

import org.jspecify.annotations.NullMarked;
