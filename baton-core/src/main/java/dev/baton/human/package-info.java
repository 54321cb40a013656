/**
 * Human agents: agents whose turns a person answers through a pluggable {@link dev.baton.human.HumanChannel}
 * (a console, an HTTP endpoint, a queue). A human agent is an ordinary {@link dev.baton.agent.Agent}: a handoff
 * target like any other, it holds the session like any specialist, and the person may hand the conversation on.
 */
@NullMarked
package dev.baton.human;

import org.jspecify.annotations.NullMarked;
