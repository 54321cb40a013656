package dev.baton.tool;

/**
 * The outcome of one tool call in a turn, as a {@link dev.baton.agent.ToolUseBehavior} sees it.
 *
 * @param toolName the tool called
 * @param callId the call's id
 * @param arguments the arguments as the model wrote them
 * @param output the text the model would read
 * @param error whether the output reports a failure
 */
public record ToolResult(String toolName, String callId, String arguments, String output, boolean error) {}
