package dev.baton.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The timer that renews held sessions' leases: each renewal runs once when due, unless cancelled first. */
class LeaseRenewalsTest {

    private static final LeaseRenewals renewals = new LeaseRenewals("lease-renewals-test"); // one daemon timer, as the JVM has

    @Test
    void a_renewal_runs_once_when_due_even_if_it_is_shorter_than_the_timers_idle_sleep() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        long start = System.nanoTime();

        renewals.schedule(() -> {
            runs.incrementAndGet();
            ran.countDown();
        }, TimeUnit.MILLISECONDS.toNanos(50));

        assertThat(ran.await(900, TimeUnit.MILLISECONDS)).as("woken for an early renewal, not at its next idle tick").isTrue();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        Thread.sleep(200);
        assertThat(runs).hasValue(1);
    }

    @Test
    void a_cancelled_renewal_never_runs() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        LeaseRenewals.Due renewal = runs::incrementAndGet;

        renewals.schedule(renewal, TimeUnit.MILLISECONDS.toNanos(50));
        renewals.cancel(renewal);
        Thread.sleep(300);

        assertThat(runs).hasValue(0);
    }

    @Test
    void many_renewals_each_run_once_and_a_renewal_may_schedule_its_next() throws Exception {
        int count = 200;
        CountDownLatch ran = new CountDownLatch(count * 2);
        for (int i = 0; i < count; i++) {
            long period = TimeUnit.MILLISECONDS.toNanos(20 + i % 7);
            renewals.schedule(new LeaseRenewals.Due() {
                int round;

                @Override
                public void renew() {
                    ran.countDown();
                    if (++round < 2) {
                        renewals.schedule(this, period);
                    }
                }
            }, period);
        }

        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    }
}
