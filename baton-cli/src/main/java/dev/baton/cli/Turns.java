package dev.baton.cli;

import dev.baton.GuardrailTripwireTriggered;
import dev.baton.UserError;
import dev.baton.durable.Approval;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Drives a durable run until it ends, or pauses for decisions no one here makes. */
final class Turns {
    private Turns() {}

    /** Decides a tool call a run waits for: approve, reject, or (null) leave it pending. */
    @FunctionalInterface
    interface Approver {
        @Nullable Decision decide(Approval approval);

        /**
         * Told something the person deciding should know: a call they were asked about was decided
         * by another process meanwhile, and how the run stands now. Ignored by default.
         */
        default void note(String line) {}

        /** Leaves every call pending: the run stays paused for {@code baton approvals}. */
        static Approver none() {
            return a -> null;
        }
    }

    /** A decision; {@code message} is what the model reads for a rejection (null for the default wording). */
    record Decision(boolean approved, @Nullable String message) {}

    /**
     * Waits for the run; each time it pauses, asks {@code approver} about each pending call and
     * continues it once all are decided. A call decided meanwhile by another process ({@code baton
     * approvals} in another terminal) is not an error: the approver is told, and the run is
     * followed as it now is (continued here or there, or already ended).
     *
     * @return the run as it ended, as it stays paused, or (status {@code RUNNING}) as it stopped
     *     here without ending, resumable (see {@link Workbench#result})
     */
    static RunRecord drive(Workbench wb, RunHandle run, Approver approver) {
        RunRecord record = wb.result(run);
        boolean decidedElsewhere = false;
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
                try {
                    if (d.approved()) {
                        run.approve(a.callId());
                    } else {
                        run.reject(a.callId(), d.message());
                    }
                } catch (UserError e) {
                    Optional<Approval> stored = run.approvals().stream().filter(x -> x.callId().equals(a.callId())).findFirst();
                    boolean decided = stored.isPresent() && stored.get().status() != Approval.Status.PENDING;
                    if (decided) {
                        approver.note("Approval " + approvalId(a) + " was already " + stored.get().status().name().toLowerCase(Locale.ROOT)
                                + " elsewhere (at " + Tables.time(stored.get().decidedAt()) + "), so your answer was not used.");
                    } else if (run.record().status().isTerminal()) {
                        approver.note("Run " + run.id() + " was ended elsewhere meanwhile, so your answer was not used.");
                    } else {
                        throw e; // not something another process did
                    }
                    decidedElsewhere = true;
                    break;
                }
            }
            record = wb.result(run);
        }
        if (decidedElsewhere) {
            approver.note("The run as it is now: " + RunsResumeCommand.line(record));
        }
        return record;
    }

    /** What to do about a run {@link #drive} left running, stopped here without ending: one line. */
    static String stoppedLine(Workbench wb, RunRecord run, @Nullable String db) {
        String why = wb.failure(run.id()).map(Text::message).orElse("its execution here stopped");
        return "run " + run.id() + " stopped: " + why + ". It is not lost: continue it with: " + Hint.command() + " runs resume " + run.id()
                + Approvals.dbOption(db);
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
