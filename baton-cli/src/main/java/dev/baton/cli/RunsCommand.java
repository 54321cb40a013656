package dev.baton.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code baton runs}: the durable runs kept in the database. */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "List, inspect and resume durable runs.",
        subcommands = {RunsListCommand.class, RunsShowCommand.class, RunsResumeCommand.class})
final class RunsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @ParentCommand
    BatonCli root;

    @Override
    public void run() {
        spec.commandLine().usage(root.terminal().out());
    }
}
