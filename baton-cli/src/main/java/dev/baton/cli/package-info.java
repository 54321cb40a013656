/**
 * The {@code baton} command ({@link dev.baton.cli.BatonCli}): chat with the example desks, run
 * single turns, list, show and resume durable runs, decide approvals, and watch the demo. Each
 * sub-command is a small picocli class; {@code Workbench} holds what they share (stores, model,
 * desks, a durable runner per desk).
 */
@NullMarked
package dev.baton.cli;

import org.jspecify.annotations.NullMarked;
