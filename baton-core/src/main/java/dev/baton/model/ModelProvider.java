package dev.baton.model;

/** Resolves a model name (as agents and run options name models) to a {@link Model}. */
@FunctionalInterface
public interface ModelProvider {

    /**
     * Returns the model for a name.
     *
     * @throws dev.baton.UserError if the name is unknown to this provider
     */
    Model model(String name);
}
