package dev.baton.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;

/**
 * Asks a Kafka cluster whether it is there, so that a worker or a command started against a broker
 * that is down stops at once with a clear {@link KafkaUnavailableException} instead of blocking in
 * its first send or poll.
 */
public final class KafkaProbe {

    private KafkaProbe() {}

    /**
     * Waits at most {@code timeout} for the cluster at {@code settings}' bootstrap servers to
     * describe itself, and returns its cluster id.
     *
     * @throws KafkaUnavailableException if no broker answered in time, with the servers and the cause
     */
    public static String awaitReachable(KafkaSettings settings, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: must be positive, was " + timeout);
        }
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Map<String, Object> config = settings.adminConfig();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, settings.clientId() + "-probe");
        Admin admin;
        try {
            admin = Admin.create(config);
        } catch (KafkaException e) {
            throw unavailable(settings, timeout, e);
        }
        try {
            return admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis))
                    .clusterId()
                    .get(millis + 1_000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unavailable(settings, timeout, e.getCause());
        } catch (TimeoutException e) {
            throw unavailable(settings, timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(settings, timeout, e);
        } finally {
            admin.close(Duration.ZERO);
        }
    }

    private static KafkaUnavailableException unavailable(KafkaSettings settings, Duration timeout, Throwable cause) {
        return new KafkaUnavailableException(
                "no Kafka broker answered at " + settings.bootstrapServersConfig() + " within " + timeout
                        + " (client id " + settings.clientId() + "): " + cause,
                cause);
    }
}
