package dev.baton.handoff;

/** Prompt text that helps models use handoffs well. */
public final class Prompts {
    private Prompts() {}

    /**
     * A prefix for the instructions of agents in a handoff system: tells the model it is one of
     * several agents, that transfers happen through functions, and that it should not mention them.
     */
    public static final String RECOMMENDED_PROMPT_PREFIX = """
            # System context
            You are one agent in a team of agents that hand a conversation to each other. \
            Each agent has its own instructions and tools. A handoff is done by calling a \
            function whose name usually starts with `transfer_to_`. When the conversation \
            reaches you through a handoff, continue it as if you had been there all along. \
            Do not mention or draw attention to handoffs or to the other agents in your replies.
            """;

    /** The instructions with {@link #RECOMMENDED_PROMPT_PREFIX} in front. */
    public static String withHandoffInstructions(String instructions) {
        return RECOMMENDED_PROMPT_PREFIX + "\n" + instructions;
    }
}
