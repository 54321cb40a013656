package dev.baton.durable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.agent.Team;
import dev.baton.human.HumanAgent;
import dev.baton.human.HumanChannel;
import dev.baton.human.HumanReply;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.model.Model;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Human agents in durable runs")
@Timeout(30)
class HumanAgentDurableTest {
    final InMemoryRunStore store = new InMemoryRunStore();
    final InMemorySessionStore sessions = new InMemorySessionStore();

    static Agent<Void> desk(HumanChannel people) {
        Agent<Void> triage = Agent.<Void>builder("triage").handoffs("human_agent").build();
        return Team.of(triage, HumanAgent.<Void>builder("human_agent").channel(people).handoffs("triage").build()).agent("triage");
    }

    DurableWorker durable(Model model, Agent<Void> agents) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build());
        return DurableWorker.builder(runner, store).agents(agents).lease(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(20)).takeOver(false).build().start();
    }

    @Test
    void a_run_recovered_after_the_person_answered_replays_their_reply_instead_of_asking_again() throws Exception {
        AtomicInteger firstAsked = new AtomicInteger();
        CountDownLatch backAtTriage = new CountDownLatch(1);
        AtomicInteger firstCalls = new AtomicInteger();
        Model firstModel = request -> {
            if (firstCalls.incrementAndGet() == 1) {
                return new ModelResponse(List.of(new ToolCall("call_1", request.handoffTo("human_agent").toolName(), "{}")), Usage.of(10, 5));
            }
            backAtTriage.countDown();
            try {
                Thread.sleep(30_000);   // the process goes away while triage thinks
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
            throw new AssertionError("not interrupted");
        };
        Agent<Void> first = desk(request -> {
            firstAsked.incrementAndGet();
            return Optional.of(HumanReply.handOff("triage", "Passing you back to our assistant."));
        });
        DurableWorker dying = durable(firstModel, first);
        RunHandle run = dying.startRun(first, "A person, please; and where is my refund?");
        assertThat(backAtTriage.await(10, TimeUnit.SECONDS)).isTrue();
        dying.close();

        AtomicInteger secondAsked = new AtomicInteger();
        AtomicInteger secondCalls = new AtomicInteger();
        Agent<Void> second = desk(request -> {
            secondAsked.incrementAndGet();
            return Optional.of(HumanReply.say("A second answer nobody should be asked for."));
        });
        Model secondModel = request -> {
            secondCalls.incrementAndGet();
            return new ModelResponse(List.of(Message.assistant("Your refund is on its way.")), Usage.of(10, 5));
        };
        try (DurableWorker survivor = durable(secondModel, second)) {
            assertThat(survivor.resumeIncomplete()).extracting(RunHandle::id).containsExactly(run.id());
            RunRecord done = survivor.attach(run.id()).result();

            assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(done.finalOutput()).contains("Your refund is on its way.");
        }
        assertThat(firstAsked.get()).isEqualTo(1);
        assertThat(secondAsked.get()).as("the person's reply comes from the journal").isZero();
        assertThat(secondCalls.get()).as("only triage's turn after the hand-back").isEqualTo(1);
    }
}
