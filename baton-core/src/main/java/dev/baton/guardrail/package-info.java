/** Guardrails: checks on a run's input, an agent's final output, and each tool call, with tripwires that stop the run. */
@NullMarked
package dev.baton.guardrail;

import org.jspecify.annotations.NullMarked;
