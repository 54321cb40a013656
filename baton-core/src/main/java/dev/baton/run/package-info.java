/** Running agents: the runner, per-run options and per-runner config, results, events and streams. */
@NullMarked
package dev.baton.run;

import org.jspecify.annotations.NullMarked;
