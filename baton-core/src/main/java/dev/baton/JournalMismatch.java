package dev.baton;


/**
 * A journaled run cannot be continued with the agents given: its journal was written by a
 * different agent graph (agents renamed, removed or changed), or a journal entry cannot be read.
 * The message names what differs. The journal is left as it was.
 */
public final class JournalMismatch extends BatonException {
    public JournalMismatch(String message) {
        super(message);
    }
}
