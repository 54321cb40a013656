package dev.baton.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code baton approvals}: tool calls waiting for a human decision, across runs and processes. */
@Command(name = "approvals", mixinStandardHelpOptions = true, description = "List and decide tool calls waiting for approval.",
        subcommands = {ApprovalsListCommand.class, ApprovalsDecideCommand.Approve.class, ApprovalsDecideCommand.Reject.class})
final class ApprovalsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @ParentCommand
    BatonCli root;

    @Override
    public void run() {
        spec.commandLine().usage(root.terminal().out());
    }
}
