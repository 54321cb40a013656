/**
 * Baton on Apache Kafka: {@link dev.baton.kafka.KafkaRuntime}, the publish/subscribe runtime across
 * worker processes, and what it stands on.
 *
 * <p>{@link dev.baton.kafka.KafkaSettings} says how to reach a cluster and configures kafka-clients'
 * producers, consumers and admin clients the way the transport needs them (idempotent producer,
 * offsets committed by hand); {@link dev.baton.kafka.TopicNames} maps the runtime's topic types to
 * legal Kafka topic names; {@link dev.baton.kafka.KafkaProbe} fails fast, with a clear error, when
 * no broker answers. See docs/kafka.md.
 */
@NullMarked
package dev.baton.kafka;

import org.jspecify.annotations.NullMarked;
