package dev.baton.cli.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The desks' tool backends given arguments they should refuse or read differently. */
class BackendArgumentsTest {
    @TempDir
    Path dir;

    /*
     * Cause: AcmeBackend.refund (AcmeBackend.java:62-69) refunds the item's price for any catalogue item
     * id, as often as it is asked: it keeps the refunds but never looks at them (nor at what the customer
     * bought). In one acme chat, asking twice refunds the same Rocket Skates twice (RF-301 and RF-302,
     * $129 each). Fix: refuse a second refund of an item already refunded (in this session/for this
     * customer), e.g. throw IllegalArgumentException("item_48213 was already refunded (RF-301)").
     */
    @Test
    void the_acme_desk_refunds_an_item_only_once() {
        Baton.Result r = Baton.run(dir, "My rocket skates are broken.\n"
                + "That didn't help, I want a refund.\n"
                + "That didn't help, I want a refund.\n", "chat", "--desk", "acme");

        Matcher refunds = Pattern.compile("=> execute_refund: \\{\"refund_id\"").matcher(r.out());
        int count = 0;
        while (refunds.find()) {
            count++;
        }
        assertThat(count).as("refunds issued for the one pair of rocket skates:%n%s", r).isEqualTo(1);
    }

    /*
     * Cause: RmaBackend.article (RmaBackend.java:79) also matches the third word of each article's
     * title as a substring of the question; for "Change brightness and picture mode on the Lumen 27" that
     * word is "and", so any question containing "and" anywhere ("brand", "hand", "stand", "and") gets the
     * monitor brightness article, even one about the dock's firmware. `baton run --desk rma "My dock brand
     * new firmware update question"` answers with the Lumen 27 article. Fix: give each article explicit
     * keywords (headset/x200/bluetooth, monitor/lumen/brightness, dock/firmware) and match whole words.
     */
    @Test
    void a_dock_firmware_question_gets_the_dock_article_not_the_monitor_one() throws Exception {
        Class<?> backend = Class.forName("dev.baton.cli.desk.RmaBackend");
        Constructor<?> create = backend.getDeclaredConstructor();
        create.setAccessible(true);
        Method article = backend.getDeclaredMethod("article", String.class);
        article.setAccessible(true);

        Object found = article.invoke(create.newInstance(), "update the firmware of my brand new dock");

        assertThat(found.toString()).contains("Dock Pro");
    }
}
