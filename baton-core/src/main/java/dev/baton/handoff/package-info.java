/** Handoffs: transfer functions, their inputs and callbacks, and what the next agent reads (filters, history nesting). */
@NullMarked
package dev.baton.handoff;

import org.jspecify.annotations.NullMarked;
