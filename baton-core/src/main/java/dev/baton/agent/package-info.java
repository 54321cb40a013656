/** Agents, their tool-use behaviour and teams of agents that hand off to each other by name. */
@NullMarked
package dev.baton.agent;

import org.jspecify.annotations.NullMarked;
