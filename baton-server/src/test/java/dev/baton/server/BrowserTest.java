package dev.baton.server;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.handoff.Handoff;
import dev.baton.item.Image;
import dev.baton.testing.ScriptedModel;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolAnswer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The web UI as a person meets it: pages in a real headless Chromium, kept current by the UI's script. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(120)
class BrowserTest {
    static Browser browser;

    BatonServer server;
    Http http;
    final CountDownLatch lookupMayAnswer = new CountDownLatch(1);

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @AfterEach
    void stop() {
        lookupMayAnswer.countDown();
        if (server != null) {
            server.close();
        }
    }

    /** Triage hands off to billing, whose order lookup answers only once the test lets it. */
    void serveSupport() {
        serveWith(ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"))
                .forAgent("billing", callTool("look_up_order", new Desk.Refund("A-7")), reply("Order A-7 has shipped.")));
    }

    void serveWith(ScriptedModel model) {
        server = Desk.server(model).desk("support", supportTriage()).build().start();
        http = new Http(server);
    }

    /** Triage, handing off to billing, whose order lookup waits for {@link #lookupMayAnswer}. */
    Agent<Void> supportTriage() {
        Tool<Void> lookup = Tool.<Void, Desk.Refund>of("look_up_order", "Find an order.", Desk.Refund.class, (ctx, r) -> {
            try {
                lookupMayAnswer.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "order " + r.orderId() + ": shipped";
        });
        Agent<Void> billing = Agent.<Void>builder("billing").handoffDescription("Charges, invoices and refunds.").tools(lookup).build();
        return Agent.<Void>builder("triage").instructions("Route the customer.").handoffs(Handoff.to(billing)).build();
    }

    String startRun(String input) {
        Http.Answer started = http.post("/api/desks/support/runs", "{\"input\": " + WebUiTest.quoted(input) + "}");
        assertThat(started.status()).as(started.body().toString()).isEqualTo(201);
        return started.body().get("id").asText();
    }

    @Test
    void the_runs_page_shows_a_run_started_through_the_api_without_a_reload() {
        serveSupport();
        browser.open(server.url().resolve("/ui/runs"));
        assertThat(browser.one("main").getText()).contains("No runs yet");

        String id = startRun("Where is order A-7?");

        String row = browser.await(20, "the new run's row appears", d -> browser.all("#runs tbody tr").stream()
                .filter(tr -> tr.getText().contains("support")).findFirst().map(tr -> tr.getText()).orElse(null));
        assertThat(row).contains("running").contains("triage → billing");
        lookupMayAnswer.countDown();
        browser.await(20, "the run's status changes to completed in place", d -> browser.all("#runs tbody tr").stream()
                .anyMatch(tr -> tr.getText().contains("completed")));
        browser.screenshot("ui-runs");

        browser.one("#runs tbody tr a").click();
        browser.await(10, "the link leads to the run", d -> d.getCurrentUrl().endsWith("/ui/runs/" + id));
    }

    @Test
    void a_running_runs_timeline_grows_while_it_runs_and_ends_with_the_answer() {
        serveSupport();
        String id = startRun("Where is order A-7?");
        browser.open(server.url().resolve("/ui/runs/" + id));
        browser.await(20, "the tool call is on the timeline", d -> browser.all("#timeline li[data-type=ToolCalled]").size() == 1);
        int before = browser.all("#timeline li").size();
        assertThat(browser.all("#timeline li[data-type=RunCompleted]")).isEmpty();
        assertThat(browser.one(".facts").getText()).contains("running");

        lookupMayAnswer.countDown();

        browser.await(20, "the final answer joins the timeline", d -> browser.all("#timeline li[data-type=RunCompleted]").size() == 1);
        assertThat(browser.all("#timeline li").size()).isGreaterThan(before);
        assertThat(browser.one("#timeline").getText()).contains("order A-7: shipped").contains("Order A-7 has shipped.");
        browser.await(20, "the page shows the run completed", d -> browser.one(".facts").getText().contains("completed"));
        browser.screenshot("ui-run");
    }

    @Test
    void a_server_with_a_token_lets_the_browser_in_after_signing_in_once() {
        server = Desk.server(ScriptedModel.create()).desk("support", Desk.triage()).token("ui-token-123").build().start();
        browser.open(server.url().resolve("/ui/runs"));
        browser.await(10, "the browser is sent to sign in", d -> d.getCurrentUrl().contains("/ui/sign-in"));

        browser.one("input[name=token]").sendKeys("ui-token-123");
        browser.one("form.sign-in button").click();

        browser.await(10, "the runs page opens", d -> d.getCurrentUrl().endsWith("/ui/runs"));
        assertThat(browser.one("h1").getText()).isEqualTo("Runs");
        browser.driver().manage().deleteAllCookies();
    }

    @Test
    void approving_in_the_browser_completes_a_paused_run() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("billing", callTool("issue_refund", new Desk.Refund("A-9")), reply("Refund of A-9 done."));
        server = Desk.server(model).desk("refunds", Desk.billing()).build().start();
        http = new Http(server);
        String id = http.post("/api/desks/refunds/runs", "{\"input\": \"Refund order A-9\"}").body().get("id").asText();
        assertThat(http.awaitEnd(id).get("status").asText()).isEqualTo("paused");

        browser.open(server.url().resolve("/ui/approvals"));
        assertThat(browser.one("section.approval").getText()).contains("issue_refund").contains("A-9").contains("Refund an order.");
        browser.screenshot("ui-approvals");
        browser.one("section.approval input[name=by]").sendKeys("Dana");
        browser.one("section.approval button[value=approve]").click();

        browser.await(20, "the inbox says the call was approved", d -> browser.one("main").getText().contains("was approved"));
        assertThat(http.awaitEnd(id).get("status").asText()).isEqualTo("completed");
        browser.open(server.url().resolve("/ui/runs/" + id));
        assertThat(browser.one("#timeline").getText()).contains("approved by Dana").contains("refunded A-9").contains("Refund of A-9 done.");
    }

    @Test
    void a_chat_in_the_browser_is_handed_off_from_triage_to_billing() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"))
                .forAgent("billing", callTool("look_up_order", new Desk.Refund("A-7")), reply("Order A-7 has shipped."))
                .forAgent("billing", reply("You are welcome."));
        server = Desk.server(model).desk("support", Desk.triage()).build().start();
        http = new Http(server);

        browser.open(server.url().resolve("/ui/chat"));
        browser.one("form.filters button").click();
        browser.await(10, "a new conversation opens", d -> !browser.all("form.send textarea").isEmpty());
        browser.one("form.send textarea").sendKeys("Where is my order A-7?");
        browser.one("form.send button").click();

        browser.await(20, "billing answers", d -> browser.one("#chat").getText().contains("Order A-7 has shipped."));
        String chat = browser.one("#chat").getText();
        assertThat(chat).contains("Where is my order A-7?").contains("billing").contains("look_up_order");
        assertThat(browser.all("#chat li[data-type=HandoffOccurred]")).isNotEmpty();
        assertThat(browser.one("dd.holding").getText()).isEqualTo("billing");

        browser.one("form.send textarea").sendKeys("Thanks!");
        browser.one("form.send button").click();
        browser.await(20, "billing keeps the conversation", d -> browser.one("#chat").getText().contains("You are welcome."));
        browser.screenshot("ui-chat");
    }

    @Test
    void the_overview_draws_how_conversations_flowed_between_agents() {
        ScriptedModel model = ScriptedModel.create();
        for (int i = 0; i < 3; i++) {
            model.forAgent("triage", handoffTo("billing")).forAgent("billing", callTool("look_up_order", new Desk.Refund("A-" + i)),
                    reply("Order A-" + i + " has shipped."));
        }
        model.forAgent("triage", reply("Hello! What can I do for you?"));
        serveWith(model);
        lookupMayAnswer.countDown();
        for (int i = 0; i < 4; i++) {
            assertThat(http.awaitEnd(startRun("Question " + i)).get("status").asText()).isEqualTo("completed");
        }

        browser.open(server.url().resolve("/ui/overview"));

        assertThat(browser.all("svg.sankey")).isNotEmpty();
        assertThat(browser.one("main").getText()).contains("triage").contains("billing");
        browser.screenshot("ui-overview");
        String run = http.get("/api/runs?limit=4").body().get("runs").get(1).get("id").asText();
        browser.open(server.url().resolve("/ui/runs/" + run));
        assertThat(browser.all("svg.handoff-graph")).hasSize(1);
    }

    @Test
    void a_person_chats_with_a_desk_on_the_runtime_and_the_page_reloads_itself_until_the_desk_answers() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"))
                .forAgent("billing", callTool("look_up_order", new Desk.Refund("A-7")), reply("Order A-7 has shipped."));
        dev.baton.run.Runner runner = dev.baton.run.Runner.create(dev.baton.run.RunConfig.builder().defaultModel(model)
                .sessionStore(new dev.baton.session.InMemorySessionStore()).build());
        try (dev.baton.runtime.InProcessRuntime runtime = dev.baton.runtime.InProcessRuntime.create();
                dev.baton.runtime.handoff.HandoffDesk<Void> desk = dev.baton.runtime.handoff.HandoffDesk.builder(supportTriage(), runner)
                        .name("support-runtime").build()) {
            desk.host(runtime);
            server = BatonServer.builder().runner(runner).port(0).runtimeDesk(desk, runtime).build().start();

            browser.open(server.url().resolve("/ui/chat"));
            browser.one("a[href^='/ui/runtime-chat']").click();
            browser.await(10, "the runtime chat opens on a new session", d -> d.getCurrentUrl().contains("session=chat-"));
            browser.one("form.send textarea").sendKeys("Where is my order A-7?");
            browser.one("form.send button").click();

            browser.await(10, "the page says the desk is working", d -> browser.first("#chat-working").isPresent());
            assertThat(browser.one("#chat").getText()).contains("Where is my order A-7?");
            lookupMayAnswer.countDown();
            browser.await(20, "the page reloads itself with the answer",
                    d -> browser.one("#chat").getText().contains("Order A-7 has shipped."));
            assertThat(browser.first("#chat-working")).isEmpty();
            assertThat(browser.one("#chat").getText()).contains("hands off to billing").contains("look_up_order")
                    .contains("order A-7: shipped").doesNotContain("{\"assistant\":\"billing\"}");
            assertThat(browser.one(".holding").getText()).isEqualTo("billing");
            browser.screenshot("ui-runtime-chat");
        } finally {
            server.close();
            server = null;
        }
    }

    /** A small real PNG, {@code width} by {@code height}, drawn for the test. */
    static byte[] png(int width, int height) throws java.io.IOException {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(width, height, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = image.createGraphics();
        g.setColor(java.awt.Color.ORANGE);
        g.fillRect(0, 0, width, height);
        g.dispose();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void an_image_a_tool_returned_is_shown_on_the_runs_timeline() throws Exception {
        byte[] receiptScan = png(40, 20);
        Tool<Void> receipt = Tool.<Void, Desk.Refund>of("get_receipt", "Show an order's receipt.", Desk.Refund.class,
                (ctx, r) -> ToolAnswer.of("Receipt for " + r.orderId() + ":", Image.ofBytes("image/png", receiptScan)));
        Agent<Void> billing = Agent.<Void>builder("billing").tools(receipt).build();
        server = Desk.server(ScriptedModel.create().then(callTool("get_receipt", new Desk.Refund("A-9")), reply("Here it is.")))
                .desk("support", billing).build().start();
        http = new Http(server);
        String id = startRun("Show me the receipt for A-9");
        assertThat(http.awaitEnd(id).get("status").asText()).isEqualTo("completed");

        browser.open(server.url().resolve("/ui/runs/" + id));

        org.openqa.selenium.WebElement shown = browser.await(20, "the image is on the timeline",
                d -> browser.first("#timeline li[data-type=ToolFinished] img.tool-image").orElse(null));
        Object width = browser.driver() instanceof org.openqa.selenium.JavascriptExecutor js
                ? js.executeScript("return arguments[0].complete ? arguments[0].naturalWidth : -1", shown) : null;
        assertThat(width).as("the browser loaded the image (the page's policy allows inline images)").isEqualTo(40L);
        assertThat(browser.one("#timeline").getText()).contains("Receipt for A-9:");
        browser.screenshot("ui-run-tool-image");
    }
}
