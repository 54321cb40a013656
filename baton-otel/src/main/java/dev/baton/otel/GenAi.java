package dev.baton.otel;

/**
 * Attribute names and values of the OpenTelemetry GenAI semantic conventions (status: Development),
 * as published in semantic-conventions v1.41 and its successor repository
 * open-telemetry/semantic-conventions-genai, plus Baton's own {@code baton.*} attributes. Kept as
 * constants here rather than taken from the incubating semconv artifact, whose GenAI names still
 * change between releases.
 */
final class GenAi {
    private GenAi() {}

    // Operations and their span names: "{operation} {subject}".
    static final String OP_INVOKE_WORKFLOW = "invoke_workflow";
    static final String OP_INVOKE_AGENT = "invoke_agent";
    static final String OP_CHAT = "chat";
    static final String OP_EXECUTE_TOOL = "execute_tool";

    static final String OPERATION_NAME = "gen_ai.operation.name";
    static final String PROVIDER_NAME = "gen_ai.provider.name";
    static final String WORKFLOW_NAME = "gen_ai.workflow.name";
    static final String CONVERSATION_ID = "gen_ai.conversation.id";
    static final String AGENT_NAME = "gen_ai.agent.name";
    static final String OUTPUT_TYPE = "gen_ai.output.type";
    static final String REQUEST_MODEL = "gen_ai.request.model";
    static final String RESPONSE_ID = "gen_ai.response.id";
    static final String USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";
    static final String USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
    static final String USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read.input_tokens";
    static final String USAGE_REASONING_OUTPUT_TOKENS = "gen_ai.usage.reasoning.output_tokens";
    static final String INPUT_MESSAGES = "gen_ai.input.messages";
    static final String OUTPUT_MESSAGES = "gen_ai.output.messages";
    static final String TOOL_NAME = "gen_ai.tool.name";
    static final String TOOL_CALL_ID = "gen_ai.tool.call.id";
    static final String TOOL_TYPE = "gen_ai.tool.type";
    static final String TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments";
    static final String TOOL_CALL_RESULT = "gen_ai.tool.call.result";
    static final String ERROR_TYPE = "error.type";

    /** {@code error.type} when the failure has no type of its own (the conventions' fallback value). */
    static final String ERROR_OTHER = "_OTHER";
    /** {@code error.type} of a tool call whose output reports a failure, when the runner gave no type. */
    static final String ERROR_TOOL = "tool_error";

    static final String BATON_SPAN_TYPE = "baton.span.type";
    static final String BATON_TRACE_ID = "baton.trace_id";
    static final String BATON_METADATA_PREFIX = "baton.metadata.";
    static final String BATON_AGENT_TOOLS = "baton.agent.tools";
    static final String BATON_AGENT_HANDOFFS = "baton.agent.handoffs";
    static final String BATON_AGENT_OUTPUT_TYPE = "baton.agent.output_type";
    static final String BATON_TOOL_ERROR = "baton.tool.error";
    static final String BATON_HANDOFF_FROM = "baton.handoff.from";
    static final String BATON_HANDOFF_TO = "baton.handoff.to";
    static final String BATON_GUARDRAIL_NAME = "baton.guardrail.name";
    static final String BATON_GUARDRAIL_KIND = "baton.guardrail.kind";
    static final String BATON_GUARDRAIL_TRIGGERED = "baton.guardrail.triggered";
    static final String BATON_CUSTOM_NAME = "baton.custom.name";
    static final String BATON_CUSTOM_PREFIX = "baton.custom.";
}
