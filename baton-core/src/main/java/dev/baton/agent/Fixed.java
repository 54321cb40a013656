package dev.baton.agent;

/** The two enabling choices that do not depend on the run. */
final class Fixed {
    static final EnabledWhen<Object> ALWAYS = (ctx, agent) -> true;
    static final EnabledWhen<Object> NEVER = (ctx, agent) -> false;

    private Fixed() {}
}
