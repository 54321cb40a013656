package dev.baton.human;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.UserError;
import dev.baton.agent.Agent;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Building a human agent")
class HumanAgentTest {

    @Test
    void a_human_agent_is_an_agent_answered_by_its_channel_waiting_five_minutes_by_default() {
        Agent<Void> human = HumanAgent.<Void>builder("human_agent").channel(new HumanQueue())
                .handoffDescription("A person").handoffs("support_triage").build();

        assertThat(HumanAgent.isHuman(human)).isTrue();
        assertThat(HumanAgent.isHuman(Agent.<Void>builder("support_triage").build())).isFalse();
        assertThat(human.handoffDescription()).isEqualTo("A person");
        assertThat(human.handoffs()).singleElement().satisfies(h -> assertThat(h.targetName()).isEqualTo("support_triage"));
        assertThat(((HumanModel) human.model()).timeout()).isEqualTo(HumanAgent.DEFAULT_TIMEOUT).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void a_human_agent_needs_a_channel() {
        assertThatThrownBy(() -> HumanAgent.<Void>builder("human_agent").build()).isInstanceOf(UserError.class)
                .hasMessageContaining("Human agent 'human_agent' needs a channel");
    }

    @Test
    void the_timeout_must_be_positive_and_the_reply_when_nobody_answers_not_blank() {
        HumanAgent.Builder<Void> builder = HumanAgent.<Void>builder("human_agent").channel(request -> Optional.empty());

        assertThatThrownBy(() -> builder.timeout(Duration.ZERO)).isInstanceOf(UserError.class).hasMessageContaining("positive timeout");
        assertThatThrownBy(() -> builder.whenNobodyAnswers(" ")).isInstanceOf(UserError.class).hasMessageContaining("non-blank reply");
    }
}
