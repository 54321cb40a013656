package dev.baton.run;

/**
 * A tool call waiting for a human's decision.
 *
 * @param callId the call's id; approve or reject it by this id
 * @param agent the agent whose model made the call
 * @param toolName the tool
 * @param arguments the arguments as the model wrote them
 */
public record ApprovalRequest(String callId, String agent, String toolName, String arguments) {}
