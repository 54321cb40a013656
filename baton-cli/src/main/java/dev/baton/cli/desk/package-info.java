/**
 * The example support desks of the {@code baton} command: {@code support} (triage to billing,
 * technical and account specialists), {@code acme} (triage, sales, issues and repairs, a human
 * agent) and {@code rma} (a priority guardrail, product and RMA specialists), each with in-memory
 * backends holding realistic sample data.
 */
@NullMarked
package dev.baton.cli.desk;

import org.jspecify.annotations.NullMarked;
