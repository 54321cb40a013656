package dev.baton.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.internal.TimeOrderedIds;
import dev.baton.runtime.AgentId;
import dev.baton.runtime.AgentRuntime;
import dev.baton.runtime.CancellationToken;
import dev.baton.runtime.DeadLetter;
import dev.baton.runtime.DeadLetters;
import dev.baton.runtime.DeliveryException;
import dev.baton.runtime.DeliveryFailure;
import dev.baton.runtime.Envelope;
import dev.baton.runtime.InMemoryDeadLetters;
import dev.baton.runtime.MessageCodec;
import dev.baton.runtime.MessageContext;
import dev.baton.runtime.MessageTypes;
import dev.baton.runtime.PrefixSubscription;
import dev.baton.runtime.RoutedAgent;
import dev.baton.runtime.Subscription;
import dev.baton.runtime.TopicId;
import dev.baton.runtime.TypeSubscription;
import dev.baton.runtime.internal.LocalAgents;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publish/subscribe runtime across worker processes on Apache Kafka. Each process hosts its
 * agents the way {@link dev.baton.runtime.InProcessRuntime} does (instances per key, one message at
 * a time in order); messages travel as {@link Envelope}s in JSON on Kafka topics:
 *
 * <ul>
 *   <li>{@link #publish} writes to the topic of the topic type ({@link TopicNames#topicFor}) keyed
 *       by the topic's source (the session), so one session's messages stay on one partition, in
 *       order, handled by one worker;
 *   <li>the workers of one consumer group ({@link KafkaSettings#groupId()}) register the same agent
 *       types and subscriptions and share the partitions of the topics their subscriptions match;
 *   <li>{@link #send} writes a request to the agent type's topic ({@link TopicNames#agentTopic}),
 *       keyed by the agent's key, with this runtime's reply topic and a correlation id; the reply
 *       future fails with a {@link DeliveryException} as in process, or with a
 *       {@link TimeoutException} when no reply comes in time.
 * </ul>
 *
 * <p>Delivery is at least once with effects first: a record's offset is committed only after the
 * handlers it reached returned and the messages they published were acknowledged, and never past a
 * record still being handled. The same message id reaching the same agent twice is handled once
 * (the latest {@link Builder#handledIds} are remembered), and the messages a handler publishes get
 * ids derived from the handled message's id and their order, so a handler run again after a crash
 * republishes the same ids and its duplicates are dropped downstream. A record that cannot be read,
 * and a message whose handler keeps failing ({@link Builder#maxAttempts}), go to the dead-letter
 * topic ({@link TopicNames#deadLetterTopic}) and to {@link #deadLetters()}. See docs/kafka.md.
 *
 * <pre>{@code
 * KafkaRuntime worker = KafkaRuntime.builder(KafkaSettings.of("127.0.0.1:9092", "worker-1", "desk"))
 *         .codec(new MessageCodec(MessageTypes.of(UserTask.class)))
 *         .build();                                   // fails fast if no broker answers
 * worker.register("triage_agent", id -> new Triage());
 * worker.subscribe(Subscription.byType("triage", "triage_agent"));
 * }</pre>
 */
public final class KafkaRuntime implements AgentRuntime {

    /** The partition count {@link Builder} gives the topics it creates. */
    public static final int DEFAULT_PARTITIONS = 8;

    static final String REPLY_TO = "baton-reply-to";
    static final String CORRELATION = "baton-correlation";
    static final String OUTCOME = "baton-outcome";
    static final String OK = "ok";
    static final String REASON = "baton-reason";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaRuntime.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration PREFIX_REFRESH = Duration.ofSeconds(5);
    private static final int MAX_IN_FLIGHT = 10_000;

    private final KafkaSettings settings;
    private final TopicNames topics;
    private final MessageCodec codec;
    private final DeadLetters deadLetters;
    private final Clock clock;
    private final int partitions;
    private final Duration sendTimeout;
    private final Duration retryBackoff;
    private final LocalAgents agents;
    private final String runtimeId = UUID.randomUUID().toString();
    private final String replyTopic;
    private final ObjectMapper json = JsonMapper.builder().build();

    private final Admin admin;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaConsumer<String, byte[]> replies;
    private final Thread pollThread;
    private final Thread replyThread;

    private final Set<String> createdTopics = ConcurrentHashMap.newKeySet();
    private final Map<String, Awaiting> awaitingReplies = new ConcurrentHashMap<>();
    /** Touched by the poll thread only. */
    private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
    /** Touched by the poll thread only: offsets ready to commit that a failed commit left. */
    private final Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicInteger quietPolls = new AtomicInteger();
    private volatile Set<String> assignment = Set.of();
    private volatile boolean resubscribe;
    private volatile boolean stopping;
    /** Set once the agents stopped: every record taken is done or abandoned (unless stop came from a handler). */
    private volatile boolean agentsStopped;
    private volatile boolean closed;
    private long nextPrefixRefresh;

    private KafkaRuntime(Builder builder) {
        this.settings = builder.settings;
        this.topics = settings.topicNames();
        this.codec = builder.codec;
        this.deadLetters = builder.deadLetters;
        this.clock = builder.clock;
        this.partitions = builder.partitions;
        this.sendTimeout = builder.sendTimeout != null ? builder.sendTimeout : settings.timeout();
        this.retryBackoff = builder.retryBackoff;
        this.agents = new LocalAgents(this, builder.maxAttempts, builder.retryBackoff, builder.handledIds);
        this.replyTopic = topics.replyTopic(runtimeId);

        KafkaProbe.awaitReachable(settings, settings.timeout());
        List<AutoCloseable> made = new ArrayList<>();
        try {
            this.admin = made(made, Admin.create(settings.adminConfig()));
            Map<String, Object> producerConfig = settings.producerConfig();
            int timeout = (int) settings.timeout().toMillis();
            producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 1);
            producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1_000, Math.min(30_000, timeout / 2)));
            producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(2_001, timeout));
            this.producer = made(made, new KafkaProducer<>(producerConfig));

            ensureTopic(replyTopic, 1);
            Map<String, Object> replyConfig = settings.consumerConfig();
            replyConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
            replyConfig.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
            replyConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            replyConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.clientId() + "-replies");
            this.replies = made(made, new KafkaConsumer<>(replyConfig));
            TopicPartition replyPartition = new TopicPartition(replyTopic, 0);
            replies.assign(List.of(replyPartition));
            replies.seekToEnd(List.of(replyPartition));
            replies.position(replyPartition, settings.timeout());

            Map<String, Object> consumerConfig = settings.consumerConfig();
            consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.clientId() + "-consumer");
            // Range, not uniform: every worker gets a range of each topic's partitions. The runtime's topics
            // have one partition count and one key (the session), so one session's partitions of every
            // topic land on the same worker when the workers subscribe alike.
            consumerConfig.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range");
            this.consumer = made(made, new KafkaConsumer<>(consumerConfig));
        } catch (RuntimeException e) {
            for (AutoCloseable client : made.reversed()) {
                try {
                    client.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }

        this.pollThread = Thread.ofPlatform().name("baton-kafka-poll-" + settings.clientId()).daemon().unstarted(this::pollLoop);
        this.replyThread = Thread.ofPlatform().name("baton-kafka-replies-" + settings.clientId()).daemon().unstarted(this::replyLoop);
        pollThread.start();
        replyThread.start();
    }

    private static <T extends AutoCloseable> T made(List<AutoCloseable> made, T client) {
        made.add(client);
        return client;
    }

    /**
     * A runtime on the cluster of {@code settings} that reads the message types {@code codec} knows.
     *
     * @throws KafkaUnavailableException if no broker answers within the settings' timeout
     */
    public static KafkaRuntime start(KafkaSettings settings, MessageCodec codec) {
        return builder(settings).codec(codec).build();
    }

    /** A builder for a runtime on the cluster of {@code settings}. */
    public static Builder builder(KafkaSettings settings) {
        return new Builder(settings);
    }

    @Override
    public void register(String agentType, Function<AgentId, ? extends RoutedAgent> factory) {
        new AgentId(agentType, "");  // checks the name as in process
        agents.register(agentType, factory);
        ensureTopic(topics.agentTopic(agentType), partitions);
        resubscribe = true;
    }

    @Override
    public void subscribe(Subscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        if (subscription instanceof TypeSubscription type) {
            ensureTopic(topics.topicFor(type.topicType()), partitions);
        }
        if (agents.subscribe(subscription)) {
            resubscribe = true;
        }
    }

    @Override
    public void unsubscribe(Subscription subscription) {
        if (agents.unsubscribe(subscription)) {
            resubscribe = true;
        }
    }

    /**
     * Writes {@code message} to the Kafka topic of {@code topic}'s type, keyed by its source. From a
     * handler it returns at once and the handled record is committed only once this write is
     * acknowledged; from outside it waits for the acknowledgement.
     *
     * <p>The message waits in its topic until a worker whose subscriptions match it consumes it; a
     * worker that consumes it and has no matching subscription (any more) dead-letters it with
     * {@link DeliveryFailure#NO_SUBSCRIBER}.
     *
     * @throws KafkaUnavailableException from outside a handler, if the cluster did not acknowledge
     *     the message within the settings' timeout (it may still arrive)
     * @throws IllegalArgumentException if the message cannot be serialised
     */
    @Override
    public void publish(Object message, TopicId topic, @Nullable AgentId sender) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(topic, "topic");
        LocalAgents.Handling handling = handling();
        String id = handling != null ? handling.nextChildId() : TimeOrderedIds.uuid();
        codec.types().register(message.getClass());
        Envelope envelope = codec.encode(message, id, sender, topic, null);
        if (agents.stopped()) {
            if (handling != null) {
                // The handled record is abandoned, not committed: another worker handles it again.
                throw new IllegalStateException("the runtime is stopping; message " + id + " on " + topic + " is not published");
            }
            deadLetter(new DeadLetter(envelope, DeliveryFailure.STOPPED, "the runtime is stopped", clock.instant()), null, null);
            return;
        }
        String kafkaTopic = topics.topicFor(topic.type());
        ensureTopic(kafkaTopic, partitions);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(kafkaTopic, topic.source(), bytes(codec.toJson(envelope)));
        if (handling != null) {
            handling.addEffect(durableSend(record));
        } else {
            awaitAck(producer.send(record), "publishing message " + id + " on " + topic);
        }
    }

    /**
     * Writes a request for {@code recipient} to its agent type's topic, keyed by its key; the future
     * completes with the reply a worker hosting that type sends back, fails with a
     * {@link DeliveryException} as in process, or with a {@link TimeoutException} when no reply
     * came within the send timeout. Cancelling the future stops waiting here only.
     */
    @Override
    public CompletableFuture<Object> send(Object message, AgentId recipient, @Nullable AgentId sender) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(recipient, "recipient");
        CompletableFuture<Object> reply = new CompletableFuture<>();
        if (agents.stopped()) {
            reply.completeExceptionally(new DeliveryException(DeliveryFailure.STOPPED, recipient, "the runtime is stopped", null));
            return reply;
        }
        LocalAgents.Handling handling = handling();
        String id = handling != null ? handling.nextChildId() : TimeOrderedIds.uuid();
        String correlation = UUID.randomUUID().toString();
        codec.types().register(message.getClass());
        Envelope envelope = codec.encode(message, id, sender, null, recipient);
        String kafkaTopic = topics.agentTopic(recipient.type());
        awaitingReplies.put(correlation, new Awaiting(reply, recipient));
        reply.whenComplete((r, e) -> awaitingReplies.remove(correlation));
        try {
            ensureTopic(kafkaTopic, partitions);
        } catch (RuntimeException e) {
            reply.completeExceptionally(e);
            return reply;
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(REPLY_TO, bytes(replyTopic));
        headers.add(CORRELATION, bytes(correlation));
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(kafkaTopic, null, recipient.key(), bytes(codec.toJson(envelope)), headers);
        Thread.ofVirtual().start(() -> {
            try {
                awaitAck(producer.send(record), "sending message " + id + " to " + recipient);
            } catch (RuntimeException e) {
                reply.completeExceptionally(e);
            }
        });
        CompletableFuture.delayedExecutor(sendTimeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> reply.completeExceptionally(
                new TimeoutException("no reply from " + recipient + " to message " + id + " within " + sendTimeout
                        + ": is a worker of group '" + settings.groupId() + "' with agent type '" + recipient.type()
                        + "' running at " + settings.bootstrapServersConfig() + "?")));
        return reply;
    }

    @Override
    public <R> CompletableFuture<R> send(Object message, AgentId recipient, Class<R> replyType) {
        codec.types().register(replyType);
        return AgentRuntime.super.send(message, recipient, replyType);
    }

    @Override
    public DeadLetters deadLetters() {
        return deadLetters;
    }

    @Override
    public MessageCodec codec() {
        return codec;
    }

    /** The state of the agent instances this worker hosts. */
    @Override
    public JsonNode saveState() {
        return agents.saveState();
    }

    @Override
    public void loadState(JsonNode state) {
        agents.loadState(state);
    }

    /**
     * Waits until this worker has no record in flight, its mailboxes are empty, no send of its awaits
     * a reply and its consumer found nothing new twice in a row, then {@link #stop() stops}.
     */
    @Override
    public void stopWhenIdle() {
        if (agents.inHandler()) {
            throw new IllegalStateException("stopWhenIdle() from a handler would wait for that handler; call stop()");
        }
        quietPolls.set(0);
        while (!closed) {
            if (inFlight.get() == 0 && agents.pending() == 0 && awaitingReplies.isEmpty() && quietPolls.get() >= 2) {
                break;
            }
            sleep(Duration.ofMillis(50));
        }
        stop();
    }

    /**
     * Stops: running handlers see their cancellation token cancelled and finish; records not yet
     * handled are abandoned, not committed, so the group's other workers take them; what is done is
     * committed; the consumer leaves its group; the sends still waiting fail with
     * {@link DeliveryFailure#STOPPED}.
     */
    @Override
    public void stop() {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        agents.stop();
        agentsStopped = true;
        consumer.wakeup();
        join(pollThread);
        replies.wakeup();
        join(replyThread);
        for (Awaiting waiting : List.copyOf(awaitingReplies.values())) {
            waiting.reply().completeExceptionally(new DeliveryException(DeliveryFailure.STOPPED, waiting.recipient(),
                    "the runtime stopped before the reply came", null));
        }
        producer.close(Duration.ofSeconds(5));
        try {
            admin.deleteTopics(List.of(replyTopic)).all().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.info("could not delete reply topic {}: {}", replyTopic, e.toString());
        }
        admin.close(Duration.ofSeconds(5));
        closed = true;
    }

    /** The partitions this worker consumes now, as {@code topic-partition}. */
    public Set<String> assignment() {
        return assignment;
    }

    /** This runtime's id, which names its reply topic. */
    public String runtimeId() {
        return runtimeId;
    }

    // ---------------------------------------------------------------- consuming

    private void pollLoop() {
        Rebalance rebalance = new Rebalance();
        boolean subscribed = false;
        try {
            while (!stopping) {
                try {
                    if (resubscribe || (subscribed && hasPrefixSubscriptions() && System.nanoTime() > nextPrefixRefresh)) {
                        resubscribe = false;
                        List<String> wanted = wantedTopics();
                        if (wanted.isEmpty()) {
                            if (subscribed) {
                                consumer.unsubscribe();
                                subscribed = false;
                            }
                        } else {
                            consumer.subscribe(wanted, rebalance);
                            subscribed = true;
                        }
                        nextPrefixRefresh = System.nanoTime() + PREFIX_REFRESH.toNanos();
                    }
                    if (!subscribed) {
                        quietPolls.incrementAndGet();
                        sleep(POLL);
                        continue;
                    }
                    ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                    assignment = names(consumer.assignment());
                    if (records.isEmpty()) {
                        if (inFlight.get() == 0 && caughtUp()) {
                            quietPolls.incrementAndGet();
                        }
                    } else {
                        quietPolls.set(0);
                        for (ConsumerRecord<String, byte[]> record : records) {
                            take(record);
                        }
                    }
                    commitDone(null);
                    pauseOrResume();
                } catch (WakeupException e) {
                    // stop() wakes the poll; the loop condition ends it.
                } catch (KafkaException | IllegalStateException e) {
                    LOG.warn("the consumer of {} failed: {}; polling again", settings.clientId(), e.toString());
                    sleep(Duration.ofMillis(500));
                }
            }
            // The handlers running when stop() was called finish first, so that what they did is committed.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!agentsStopped && System.nanoTime() < deadline) {
                sleep(Duration.ofMillis(10));
            }
            try {
                commitDone(null);
            } catch (KafkaException e) {
                LOG.warn("the last commit of {} failed: {}", settings.clientId(), e.toString());
            }
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (KafkaException e) {
                LOG.warn("closing the consumer of {} failed: {}", settings.clientId(), e.toString());
            }
            assignment = Set.of();
        }
    }

    private void take(ConsumerRecord<String, byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        PartitionProgress partitionProgress = progress.computeIfAbsent(partition, p -> new PartitionProgress());
        inFlight.incrementAndGet();
        PartitionProgress.Slot slot = partitionProgress.add(record.offset(), s -> inFlight.decrementAndGet());
        try {
            handleRecord(record, slot);
        } catch (RuntimeException e) {
            LOG.error("taking record {}-{}@{} failed", record.topic(), record.partition(), record.offset(), e);
            deadLetterUnreadable(record, null, "taking the record failed: " + e, slot);
        }
    }

    private void handleRecord(ConsumerRecord<String, byte[]> record, PartitionProgress.Slot slot) {
        String text = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
        Envelope envelope;
        try {
            envelope = codec.fromJson(text);
        } catch (IllegalArgumentException e) {
            deadLetterUnreadable(record, null, "record " + coordinates(record) + " is not a message envelope: " + e.getMessage(), slot);
            return;
        }
        Object message;
        try {
            message = codec.decode(envelope);
        } catch (IllegalArgumentException e) {
            deadLetterUnreadable(record, envelope, e.getMessage(), slot);
            return;
        }
        String replyTo = header(record, REPLY_TO);
        if (replyTo != null && envelope.recipient() != null) {
            handleRequest(record, envelope, message, replyTo, slot);
        } else if (envelope.topic() != null) {
            handlePublished(envelope, message, slot);
        } else {
            deadLetterUnreadable(record, envelope, "record " + coordinates(record) + " has neither a topic nor a reply topic", slot);
        }
    }

    private void handlePublished(Envelope envelope, Object message, PartitionProgress.Slot slot) {
        TopicId topic = Objects.requireNonNull(envelope.topic());
        Set<AgentId> recipients = agents.recipients(topic);
        if (recipients.isEmpty()) {
            settleAfter(offThread(() -> deadLetter(new DeadLetter(envelope, DeliveryFailure.NO_SUBSCRIBER,
                    "no subscription matches topic " + topic, clock.instant()), null, null)), slot);
            return;
        }
        AtomicInteger remaining = new AtomicInteger(recipients.size());
        List<AgentId> abandoned = new java.util.concurrent.CopyOnWriteArrayList<>();
        Runnable oneDone = () -> {
            if (remaining.decrementAndGet() == 0) {
                if (abandoned.isEmpty()) {
                    slot.done();
                } else {
                    abandoned.forEach(r -> agents.forget(r, envelope.id()));
                    slot.abandon();
                }
            }
        };
        for (AgentId recipient : recipients) {
            Envelope routed = new Envelope(envelope.id(), envelope.type(), envelope.payload(), envelope.sender(), topic, recipient);
            if (!agents.registered(recipient.type())) {
                CompletableFuture<?> written = offThread(() -> deadLetter(new DeadLetter(routed, DeliveryFailure.UNKNOWN_AGENT_TYPE,
                        LocalAgents.unknownType(recipient), clock.instant()), null, null));
                written.whenComplete((r, e) -> {
                    if (e != null) {
                        abandoned.add(recipient);
                    }
                    oneDone.run();
                });
                continue;
            }
            MessageContext context = new MessageContext(envelope.id(), envelope.sender(), topic, new CancellationToken());
            agents.deliver(recipient, message, context, null, outcome -> {
                boolean ok = switch (outcome) {
                    case LocalAgents.Handled handled -> awaitEffects(handled.effects());
                    case LocalAgents.Skipped skipped -> true;
                    case LocalAgents.Declined declined -> true;
                    case LocalAgents.Failed failed -> {
                        if (stopping || failed.reason() == DeliveryFailure.STOPPED) {
                            yield false;
                        }
                        awaitEffects(failed.effects());
                        yield awaitQuietly(deadLetter(new DeadLetter(routed, failed.reason(), failed.detail(), clock.instant()), null, null));
                    }
                };
                if (!ok) {
                    abandoned.add(recipient);
                }
                oneDone.run();
            });
        }
    }

    private void handleRequest(ConsumerRecord<String, byte[]> record, Envelope envelope, Object message, String replyTo,
            PartitionProgress.Slot slot) {
        AgentId recipient = Objects.requireNonNull(envelope.recipient());
        String correlation = Objects.requireNonNullElse(header(record, CORRELATION), "");
        if (!agents.registered(recipient.type())) {
            settleAfter(offThread(() -> reply(replyTo, correlation, recipient, DeliveryFailure.UNKNOWN_AGENT_TYPE.name(),
                    bytes(LocalAgents.unknownType(recipient)))), slot);
            return;
        }
        MessageContext context = new MessageContext(envelope.id(), envelope.sender(), null, new CancellationToken());
        agents.deliver(recipient, message, context, null, outcome -> {
            boolean ok = switch (outcome) {
                case LocalAgents.Skipped skipped -> true;
                case LocalAgents.Declined declined -> true; // no reply: another group's instance answers
                case LocalAgents.Handled handled -> {
                    if (!awaitEffects(handled.effects())) {
                        yield false;
                    }
                    byte[] value;
                    String result = OK;
                    try {
                        value = handled.reply() == null ? null : replyValue(handled.reply(), envelope, recipient);
                    } catch (IllegalArgumentException e) {
                        result = DeliveryFailure.HANDLER_FAILED.name();
                        value = bytes("the reply of " + recipient + " cannot be serialised: " + e.getMessage());
                    }
                    yield awaitQuietly(reply(replyTo, correlation, recipient, result, value));
                }
                case LocalAgents.Failed failed -> {
                    if (stopping || failed.reason() == DeliveryFailure.STOPPED) {
                        yield false;
                    }
                    awaitEffects(failed.effects());
                    yield awaitQuietly(reply(replyTo, correlation, recipient, failed.reason().name(), bytes(failed.detail())));
                }
            };
            if (ok) {
                slot.done();
            } else {
                agents.forget(recipient, envelope.id());
                slot.abandon();
            }
        });
    }

    private byte[] replyValue(Object reply, Envelope request, AgentId recipient) {
        codec.types().register(reply.getClass());
        AgentId to = request.sender() != null ? request.sender() : recipient;
        return bytes(codec.toJson(codec.encode(reply, request.id() + "/reply", recipient, null, to)));
    }

    private CompletableFuture<RecordMetadata> reply(String replyTo, String correlation, AgentId recipient, String outcome,
            byte @Nullable [] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(CORRELATION, bytes(correlation));
        headers.add(OUTCOME, bytes(outcome));
        return durableSend(new ProducerRecord<>(replyTo, null, correlation, value, headers));
    }

    private void replyLoop() {
        try {
            while (!stopping) {
                try {
                    for (ConsumerRecord<String, byte[]> record : replies.poll(POLL)) {
                        completeReply(record);
                    }
                } catch (WakeupException e) {
                    // stop() wakes the poll; the loop condition ends it.
                } catch (KafkaException e) {
                    LOG.warn("the reply consumer of {} failed: {}; polling again", settings.clientId(), e.toString());
                    sleep(Duration.ofMillis(500));
                }
            }
        } finally {
            try {
                replies.close(Duration.ofSeconds(5));
            } catch (KafkaException e) {
                LOG.warn("closing the reply consumer of {} failed: {}", settings.clientId(), e.toString());
            }
        }
    }

    private void completeReply(ConsumerRecord<String, byte[]> record) {
        String correlation = header(record, CORRELATION);
        Awaiting awaiting = correlation == null ? null : awaitingReplies.get(correlation);
        if (awaiting == null) {
            LOG.debug("a reply nobody waits for (late or duplicate): {}", correlation);
            return;
        }
        CompletableFuture<Object> reply = awaiting.reply();
        String outcome = Objects.requireNonNullElse(header(record, OUTCOME), OK);
        String text = record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
        if (outcome.equals(OK)) {
            if (text == null) {
                reply.complete(null);
                return;
            }
            try {
                Envelope envelope = codec.fromJson(text);
                reply.complete(codec.decode(envelope));
            } catch (IllegalArgumentException e) {
                reply.completeExceptionally(new DeliveryException(DeliveryFailure.UNREADABLE, awaiting.recipient(),
                        "the reply cannot be read here: " + e.getMessage(), e));
            }
            return;
        }
        DeliveryFailure reason;
        try {
            reason = DeliveryFailure.valueOf(outcome);
        } catch (IllegalArgumentException e) {
            reason = DeliveryFailure.HANDLER_FAILED;
        }
        reply.completeExceptionally(new DeliveryException(reason, awaiting.recipient(),
                Objects.requireNonNullElse(text, reason.name()), null));
    }

    /** A send waiting for its reply. */
    private record Awaiting(CompletableFuture<Object> reply, AgentId recipient) {}

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            long deadline = System.nanoTime() + Math.min(settings.timeout().toNanos(), Duration.ofSeconds(10).toNanos());
            while (System.nanoTime() < deadline && !revoked.stream().allMatch(p -> {
                PartitionProgress pp = progress.get(p);
                return pp == null || pp.settled();
            })) {
                sleep(Duration.ofMillis(20));
            }
            try {
                commitDone(revoked);
            } catch (KafkaException e) {
                LOG.warn("committing revoked partitions {} failed: {}", revoked, e.toString());
            }
            drop(revoked);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            drop(lost);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {}

        private void drop(Collection<TopicPartition> partitions) {
            for (TopicPartition p : partitions) {
                PartitionProgress pp = progress.remove(p);
                toCommit.remove(p);
                if (pp != null && pp.size() > 0) {
                    LOG.info("{}: {} records of {} left uncommitted for the group's next owner", settings.clientId(), pp.size(), p);
                }
            }
        }
    }

    /** Commits the done prefix of every partition (or of {@code only}); called on the poll thread. */
    private void commitDone(@Nullable Collection<TopicPartition> only) {
        for (Map.Entry<TopicPartition, PartitionProgress> entry : progress.entrySet()) {
            if (only != null && !only.contains(entry.getKey())) {
                continue;
            }
            long next = entry.getValue().advance();
            if (next >= 0) {
                toCommit.put(entry.getKey(), new OffsetAndMetadata(next));
            }
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        toCommit.forEach((p, o) -> {
            if (only == null || only.contains(p)) {
                commit.put(p, o);
            }
        });
        if (commit.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(commit, Duration.ofSeconds(5));
            commit.keySet().forEach(toCommit::remove);
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("committing {} failed: {}; trying again", commit, e.toString());
        }
    }

    /** Whether the last fetches saw no record beyond this worker's position on any of its partitions. */
    private boolean caughtUp() {
        for (TopicPartition partition : consumer.assignment()) {
            java.util.OptionalLong lag = consumer.currentLag(partition);
            if (lag.isEmpty() || lag.getAsLong() > 0) {
                return false;
            }
        }
        return true;
    }

    private void pauseOrResume() {
        Set<TopicPartition> owned = consumer.assignment();
        if (inFlight.get() > MAX_IN_FLIGHT) {
            consumer.pause(owned);
        } else if (!consumer.paused().isEmpty() && inFlight.get() < MAX_IN_FLIGHT / 2) {
            consumer.resume(consumer.paused());
        }
    }

    private boolean hasPrefixSubscriptions() {
        return agents.subscriptions().stream().anyMatch(s -> s instanceof PrefixSubscription);
    }

    /** The Kafka topics this worker's agent types and subscriptions need. */
    private List<String> wantedTopics() {
        Set<String> wanted = new TreeSet<>();
        for (String type : agents.agentTypes()) {
            wanted.add(topics.agentTopic(type));
        }
        List<PrefixSubscription> prefixes = new ArrayList<>();
        for (Subscription subscription : agents.subscriptions()) {
            switch (subscription) {
                case TypeSubscription type -> wanted.add(topics.topicFor(type.topicType()));
                case PrefixSubscription prefix -> prefixes.add(prefix);
            }
        }
        if (!prefixes.isEmpty()) {
            try {
                for (String name : admin.listTopics().names().get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    Optional<String> type = topics.topicTypeOf(name);
                    if (type.isPresent() && prefixes.stream().anyMatch(p -> type.get().startsWith(p.prefix()))) {
                        wanted.add(name);
                    }
                }
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("listing the topics for prefix subscriptions failed: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return List.copyOf(wanted);
    }

    // ---------------------------------------------------------------- dead letters

    private void deadLetterUnreadable(ConsumerRecord<String, byte[]> record, @Nullable Envelope envelope, String detail,
            PartitionProgress.Slot slot) {
        String key = record.key() == null ? "" : record.key();
        Envelope kept = envelope;
        if (kept == null) {
            String text = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
            Optional<String> topicType = topics.topicTypeOf(record.topic());
            Optional<String> agentType = topics.agentTypeOf(record.topic());
            TopicId topic = topicType.flatMap(t -> safe(() -> new TopicId(t, key))).orElse(null);
            AgentId recipient = agentType.flatMap(t -> safe(() -> new AgentId(t, key))).orElse(null);
            if (topic == null && recipient == null) {
                recipient = new AgentId("unknown", key);
            }
            kept = new Envelope("kafka:" + coordinates(record), "(unreadable)", JsonNodeFactory.instance.textNode(text),
                    null, topic, recipient);
        }
        DeadLetter letter = new DeadLetter(kept, DeliveryFailure.UNREADABLE, detail, clock.instant());
        String replyTo = header(record, REPLY_TO);
        String correlation = header(record, CORRELATION);
        AgentId recipient = kept.recipient() != null ? kept.recipient() : new AgentId("unknown", key);
        settleAfter(offThread(() -> {
            CompletableFuture<?> written = deadLetter(letter, record, record.value());
            if (replyTo == null || correlation == null) {
                return written;
            }
            return CompletableFuture.allOf(written, reply(replyTo, correlation, recipient, DeliveryFailure.UNREADABLE.name(), bytes(detail)));
        }), slot);
    }

    /**
     * Keeps {@code letter} in the local sink and writes it to the dead-letter topic; the future
     * completes when the topic has it (it fails only if the runtime stops first).
     */
    private CompletableFuture<?> deadLetter(DeadLetter letter, @Nullable ConsumerRecord<String, byte[]> source, byte @Nullable [] raw) {
        LOG.warn("dead letter {} ({}): {}", letter.envelope().id(), letter.reason(), letter.detail());
        try {
            deadLetters.add(letter);
        } catch (RuntimeException e) {
            LOG.error("the dead-letter sink failed to keep message {}: {}", letter.envelope().id(), letter, e);
        }
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        ObjectNode value = json.createObjectNode();
        value.put("reason", letter.reason().name());
        value.put("detail", letter.detail());
        value.put("at", letter.at().toString());
        try {
            value.set("envelope", json.readTree(codec.toJson(letter.envelope())));
        } catch (Exception e) {
            value.put("envelope", String.valueOf(letter.envelope()));
        }
        if (source != null) {
            ObjectNode from = value.putObject("source");
            from.put("topic", source.topic());
            from.put("partition", source.partition());
            from.put("offset", source.offset());
        }
        if (raw != null) {
            value.put("raw", new String(raw, StandardCharsets.UTF_8));
            value.put("rawBase64", Base64.getEncoder().encodeToString(raw));
        }
        String key = letter.envelope().topic() != null ? letter.envelope().topic().source()
                : letter.envelope().recipient() != null ? letter.envelope().recipient().key() : null;
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON, bytes(letter.reason().name()));
        try {
            String topic = topics.deadLetterTopic();
            ensureTopic(topic, partitions);
            return durableSend(new ProducerRecord<>(topic, null, key, bytes(json.writeValueAsString(value)), headers));
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---------------------------------------------------------------- producing

    /**
     * Sends {@code record} and, when the cluster does not acknowledge it, sends it again (the
     * idempotent producer keeps one copy) until it is acknowledged; fails only when the runtime stops.
     */
    private CompletableFuture<RecordMetadata> durableSend(ProducerRecord<String, byte[]> record) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        attemptSend(record, acked, 1);
        return acked;
    }

    private void attemptSend(ProducerRecord<String, byte[]> record, CompletableFuture<RecordMetadata> acked, int attempt) {
        Runnable again = () -> {
            if (stopping || closed) {
                acked.completeExceptionally(new IllegalStateException("the runtime stopped before " + record.topic() + " acknowledged a record"));
                return;
            }
            Thread.ofVirtual().start(() -> {
                sleep(retryBackoff.isZero() ? Duration.ofMillis(200) : retryBackoff);
                attemptSend(record, acked, attempt + 1);
            });
        };
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    acked.complete(metadata);
                } else {
                    LOG.warn("writing to {} failed (attempt {}): {}; writing again", record.topic(), attempt, error.toString());
                    again.run();
                }
            });
        } catch (KafkaException | IllegalStateException e) {
            if (closed) {
                acked.completeExceptionally(e);
                return;
            }
            LOG.warn("writing to {} failed (attempt {}): {}; writing again", record.topic(), attempt, e.toString());
            again.run();
        }
    }

    private void awaitAck(java.util.concurrent.Future<RecordMetadata> sent, String what) {
        try {
            sent.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unavailable(what, e.getCause());
        } catch (TimeoutException e) {
            throw unavailable(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(what, e);
        }
    }

    private KafkaUnavailableException unavailable(String what, Throwable cause) {
        return new KafkaUnavailableException(what + ": the Kafka cluster at " + settings.bootstrapServersConfig()
                + " did not acknowledge it within " + settings.timeout() + " (" + cause + "); it may still arrive", cause);
    }

    /** Waits until every effect is durable; false if one failed (the runtime is stopping). */
    private static boolean awaitEffects(List<CompletableFuture<?>> effects) {
        boolean ok = true;
        for (CompletableFuture<?> effect : effects) {
            ok &= awaitQuietly(effect);
        }
        return ok;
    }

    private static boolean awaitQuietly(CompletableFuture<?> future) {
        try {
            future.join();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Runs {@code work} on a virtual thread, so that the poll thread never waits for the cluster. */
    private static CompletableFuture<?> offThread(java.util.function.Supplier<CompletableFuture<?>> work) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                work.get().whenComplete((r, e) -> {
                    if (e == null) {
                        result.complete(r);
                    } else {
                        result.completeExceptionally(e);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private static void settleAfter(CompletableFuture<?> effect, PartitionProgress.Slot slot) {
        effect.whenComplete((r, e) -> {
            if (e == null) {
                slot.done();
            } else {
                slot.abandon();
            }
        });
    }

    /** Creates {@code topic} with {@code count} partitions unless this runtime knows it exists. */
    private void ensureTopic(String topic, int count) {
        if (createdTopics.contains(topic)) {
            return;
        }
        try {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(count), Optional.empty())))
                    .all().get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new KafkaUnavailableException("creating topic " + topic + " at " + settings.bootstrapServersConfig()
                        + " failed: " + e.getCause(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new KafkaUnavailableException("creating topic " + topic + " at " + settings.bootstrapServersConfig()
                    + " took longer than " + settings.timeout(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while creating topic " + topic, e);
        }
        createdTopics.add(topic);
    }

    private LocalAgents.@Nullable Handling handling() {
        LocalAgents.Handling handling = LocalAgents.current();
        return handling != null && handling.agents() == agents ? handling : null;
    }

    private static @Nullable String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String coordinates(ConsumerRecord<?, ?> record) {
        return record.topic() + "/" + record.partition() + "@" + record.offset();
    }

    private static Set<String> names(Set<TopicPartition> partitions) {
        Set<String> out = new TreeSet<>();
        partitions.forEach(p -> out.add(p.topic() + "-" + p.partition()));
        return Set.copyOf(out);
    }

    private static <T> Optional<T> safe(java.util.function.Supplier<T> make) {
        try {
            return Optional.of(make.get());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void join(Thread thread) {
        if (thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Chooses the codec, where dead letters go, the topics' partitions, retries and timeouts. */
    public static final class Builder {

        private final KafkaSettings settings;
        private MessageCodec codec = new MessageCodec(new MessageTypes());
        private DeadLetters deadLetters = new InMemoryDeadLetters();
        private Clock clock = Clock.systemUTC();
        private int partitions = DEFAULT_PARTITIONS;
        private int maxAttempts = 3;
        private Duration retryBackoff = Duration.ofMillis(200);
        private int handledIds = 10_000;
        private @Nullable Duration sendTimeout;

        private Builder(KafkaSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /** The codec; it must know every message type this process reads (and replies it receives). */
        public Builder codec(MessageCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** Where this process keeps its dead letters besides the dead-letter topic; default in memory, the latest 10,000. */
        public Builder deadLetters(DeadLetters deadLetters) {
            this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
            return this;
        }

        /** The clock that dates dead letters. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The partitions of the topics this runtime creates (default 8): the most workers that share one topic. */
        public Builder partitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        /** How many times a handler is tried on one message before it is dead-lettered (default 3). */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** The wait before the second attempt, growing by itself for each later one (default 200 ms). */
        public Builder retryBackoff(Duration backoff) {
            if (backoff == null || backoff.isNegative()) {
                throw new IllegalArgumentException("retryBackoff must not be negative, was " + backoff);
            }
            this.retryBackoff = backoff;
            return this;
        }

        /** How many handled (agent, message id) pairs are remembered to drop duplicates (default 10,000; 0 remembers none). */
        public Builder handledIds(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("handledIds must not be negative, was " + count);
            }
            this.handledIds = count;
            return this;
        }

        /** How long a send waits for its reply (default the settings' timeout). */
        public Builder sendTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("sendTimeout must be positive, was " + timeout);
            }
            this.sendTimeout = timeout;
            return this;
        }

        /**
         * The runtime, consuming once agents are registered and subscribed.
         *
         * @throws KafkaUnavailableException if no broker answers within the settings' timeout
         */
        public KafkaRuntime build() {
            return new KafkaRuntime(this);
        }

    }
}
