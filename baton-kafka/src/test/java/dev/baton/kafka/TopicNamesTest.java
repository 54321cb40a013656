package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.internals.Topic;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TopicNames")
class TopicNamesTest {

    private final TopicNames names = TopicNames.withPrefix("acme.");

    @Test
    @DisplayName("keeps letters, digits and '-', and escapes every other character as _ and its UTF-8 bytes in hex")
    void maps_types_to_legal_topics() {
        assertThat(names.topicFor("triage")).isEqualTo("acme.triage");
        assertThat(names.topicFor("billing-agent")).isEqualTo("acme.billing-agent");
        assertThat(names.topicFor("Billing Agent")).isEqualTo("acme.Billing_20Agent");
        assertThat(names.topicFor("a.b")).isEqualTo("acme.a_2Eb");
        assertThat(names.topicFor("a_b")).isEqualTo("acme.a_5Fb");
        assertThat(names.topicFor("user:42=x")).isEqualTo("acme.user_3A42_3Dx");
        assertThat(names.topicFor("café")).isEqualTo("acme.caf_C3_A9");
    }

    @Test
    @DisplayName("every topic it makes is one Kafka accepts, and no two collide, not even in Kafka's metric names")
    void topics_are_legal_and_distinct() {
        List<String> types = List.of("a.b", "a_b", "a-b", "a b", "a_2Eb", "a.2Eb", "a__b", "A.B", "ä", "__dead-letters",
                "dead-letters", "x".repeat(100));
        Set<String> metricNames = new HashSet<>();
        for (String type : types) {
            String topic = names.topicFor(type);
            Topic.validate(topic);
            assertThat(topic.substring(names.prefix().length())).as("the mapped type in %s", topic)
                    .doesNotContain(".").doesNotContain("__");
            assertThat(metricNames.add(Topic.unifyCollisionChars(topic))).as("metric name of %s is new", topic).isTrue();
        }
        assertThat(metricNames).doesNotContain(Topic.unifyCollisionChars(names.deadLetterTopic()));
    }

    @Test
    @DisplayName("turns a topic back into its type, and answers empty for topics it never makes")
    void maps_topics_back_to_types() {
        for (String type : List.of("triage", "Billing Agent", "a.b", "a_b", "café", "user:42=x", "日本")) {
            assertThat(names.topicTypeOf(names.topicFor(type))).contains(type);
        }
        assertThat(names.topicTypeOf("other.triage")).as("another prefix").isEmpty();
        assertThat(names.topicTypeOf("acme.")).as("the prefix alone").isEmpty();
        assertThat(names.topicTypeOf(names.deadLetterTopic())).as("the dead-letter topic").isEmpty();
        assertThat(names.topicTypeOf("acme.a.b")).as("an unescaped '.'").isEmpty();
        assertThat(names.topicTypeOf("acme._41")).as("an escape that is not the canonical form").isEmpty();
        assertThat(names.topicTypeOf("acme._C3")).as("a broken UTF-8 sequence").isEmpty();
        assertThat(names.topicTypeOf("acme._2")).as("a cut escape").isEmpty();
    }

    @Test
    @DisplayName("refuses an empty type, a type too long for Kafka, and an illegal or too long prefix")
    void refuses_what_kafka_would() {
        assertThatThrownBy(() -> names.topicFor(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> names.topicFor("é".repeat(50)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("its Kafka topic name has 305 characters; Kafka allows at most 249");
        assertThat(names.topicFor("x".repeat(244))).hasSize(249);
        assertThatThrownBy(() -> TopicNames.withPrefix("acme/"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only letters, digits, '.', '_' and '-'");
        assertThatThrownBy(() -> TopicNames.withPrefix("p".repeat(236)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 235 are allowed");
        assertThat(TopicNames.withPrefix("p".repeat(235)).deadLetterTopic()).hasSize(249);
    }

    @Test
    @DisplayName("agent types' request topics and runtimes' reply topics sit beside the topic types' topics, never on one")
    void agent_and_reply_topics() {
        assertThat(names.agentTopic("billing_agent")).isEqualTo("acme.__agent.billing_5Fagent");
        assertThat(names.agentTypeOf("acme.__agent.billing_5Fagent")).contains("billing_agent");
        assertThat(names.agentTypeOf("acme.billing_5Fagent")).isEmpty();
        assertThat(names.replyTopic("3f2a-77")).isEqualTo("acme.__replies.3f2a-77");
        for (String topic : List.of(names.agentTopic("billing_agent"), names.replyTopic("3f2a-77"), names.deadLetterTopic())) {
            Topic.validate(topic);
            assertThat(names.topicTypeOf(topic)).as(topic).isEmpty();
        }
        assertThatThrownBy(() -> names.replyTopic("a.b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("runtime id 'a.b'");
    }
}
