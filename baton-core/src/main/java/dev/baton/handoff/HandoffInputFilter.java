package dev.baton.handoff;

/** Rewrites the conversation a handoff's target agent will read. See {@link HandoffFilters}. */
@FunctionalInterface
public interface HandoffInputFilter {
    HandoffInputData apply(HandoffInputData data);

    /** This filter, then {@code next}. */
    default HandoffInputFilter andThen(HandoffInputFilter next) {
        return data -> next.apply(apply(data));
    }
}
