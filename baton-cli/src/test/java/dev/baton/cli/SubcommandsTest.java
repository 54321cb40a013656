package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command line builds picocli's model of the one subcommand it names, and behaves as if all of
 * them were there: options of {@code baton} before or after the subcommand, help and mistyped names.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SubcommandsTest {
    @TempDir
    Path dir;

    @Test
    void the_subcommand_a_command_line_names_is_the_only_one_built() {
        assertThat(BatonCli.subcommands("runs", "list")).containsExactly(RunsCommand.class);
        assertThat(BatonCli.subcommands("--db", "x.db", "--model", "offline", "--verbose", "run", "hello"))
                .containsExactly(RunCommand.class);
        assertThat(BatonCli.subcommands("--db=x.db", "approvals", "list")).containsExactly(ApprovalsCommand.class);
        assertThat(BatonCli.subcommands("chat")).containsExactly(ChatCommand.class);
        assertThat(BatonCli.subcommands("demo")).containsExactly(DemoCommand.class);
    }

    @Test
    void help_no_subcommand_or_a_mistyped_one_builds_them_all() {
        assertThat(BatonCli.subcommands()).isEqualTo(BatonCli.SUBCOMMANDS);
        assertThat(BatonCli.subcommands("--help")).isEqualTo(BatonCli.SUBCOMMANDS);
        assertThat(BatonCli.subcommands("rnus", "list")).isEqualTo(BatonCli.SUBCOMMANDS);
        // "runs" is the value of --db here, not a subcommand.
        assertThat(BatonCli.subcommands("--db", "runs")).isEqualTo(BatonCli.SUBCOMMANDS);
    }

    @Test
    void options_of_baton_work_before_and_after_the_subcommand() {
        Cli.Result before = Cli.inProcess(dir, "", "--db", "before.db", "--create-db", "runs", "list");
        Cli.Result after = Cli.inProcess(dir, "", "runs", "list", "--db", "after.db", "--create-db");

        assertThat(before.exit()).as("%s", before).isZero();
        assertThat(after.exit()).as("%s", after).isZero();
        assertThat(dir.resolve("before.db")).isRegularFile();
        assertThat(dir.resolve("after.db")).isRegularFile();
    }

    @Test
    void help_lists_every_subcommand_and_a_mistyped_one_is_one_line() {
        Cli.Result help = Cli.inProcess(dir, "", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).containsSubsequence("chat", "run", "runs", "approvals", "demo");

        Cli.inProcess(dir, "", "rnus", "list").failsWithOneLine("Unmatched arguments from index 0: 'rnus', 'list' (see 'baton --help')");
        Cli.inProcess(dir, "", "runs", "--bogus").failsWithOneLine("Unknown option: '--bogus' (see 'baton runs --help')");
    }
}
