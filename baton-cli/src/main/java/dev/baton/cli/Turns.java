package dev.baton.cli;

import dev.baton.GuardrailTripwireTriggered;
import dev.baton.durable.Approval;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Drives a durable run until it ends, or pauses for decisions no one here makes. */
final class Turns {
    private Turns() {}

    /** Decides a tool call a run waits for: approve, reject, or (null) leave it pending. */
    @FunctionalInterface
    interface Approver {
        @Nullable Decision decide(Approval approval);

        /** Leaves every call pending: the run stays paused for {@code baton approvals}. */
        static Approver none() {
            return a -> null;
        }
    }

    /** A decision; {@code message} is what the model reads for a rejection (null for the default wording). */
    record Decision(boolean approved, @Nullable String message) {}

    /**
     * Waits for the run; each time it pauses, asks {@code approver} about each pending call and
     * continues it once all are decided.
     *
     * @return the run as it ended, or as it stays paused
     */
    static RunRecord drive(RunHandle run, Approver approver) {
        RunRecord record = run.result();
        while (record.status() == RunStatus.PAUSED) {
            List<Approval> pending = pending(run);
            if (pending.isEmpty()) {
                return record;
            }
            for (Approval a : pending) {
                Decision d = approver.decide(a);
                if (d == null) {
                    return run.record();
                }
                if (d.approved()) {
                    run.approve(a.callId());
                } else {
                    run.reject(a.callId(), d.message());
                }
            }
            record = run.result();
        }
        return record;
    }

    static List<Approval> pending(RunHandle run) {
        return run.approvals().stream().filter(a -> a.status() == Approval.Status.PENDING).toList();
    }

    /** The id users type for an approval: {@code <run id>/<call id>}. */
    static String approvalId(Approval a) {
        return a.runId() + "/" + a.callId();
    }

    /** Whether a failed run was stopped by a guardrail's tripwire (an outcome of the desk, not an error). */
    static boolean stoppedByGuardrail(RunRecord run, Optional<Throwable> failure) {
        if (failure.isPresent()) {
            return failure.get() instanceof GuardrailTripwireTriggered;
        }
        String error = run.error();
        return error != null && error.matches("^(Input|Output|Tool)GuardrailTripwireTriggered\\b.*");
    }

    /**
     * What a run that ended badly says, in one line.
     */
    static String failureLine(RunRecord run, Optional<Throwable> failure) {
        String why = failure.map(Text::message).orElseGet(() -> run.error() == null ? run.status().name().toLowerCase() : Text.oneLine(run.error(), 500));
        return "run " + run.id() + " " + run.status().name().toLowerCase(java.util.Locale.ROOT) + ": " + why;
    }
}
