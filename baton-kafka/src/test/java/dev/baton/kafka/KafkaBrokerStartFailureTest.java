package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("A broker that cannot start")
class KafkaBrokerStartFailureTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    @DisplayName("fails with the path of its log and the log's last lines in the message")
    void names_its_log() {
        assertThatThrownBy(() -> KafkaBroker.start(Map.of("process.roles", "nonsense")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("formatting the log directory failed")
                .hasMessageContaining("its log: " + Path.of("target", "kafka-broker").toAbsolutePath())
                .hasMessageContaining("nonsense")
                .satisfies(e -> {
                    String log = e.getMessage().replaceAll("(?s).*its log: (\\S+)\\n.*", "$1");
                    org.assertj.core.api.Assertions.assertThat(Path.of(log)).exists();
                    org.assertj.core.api.Assertions.assertThat(Files.readString(Path.of(log))).contains("nonsense");
                });
    }
}
