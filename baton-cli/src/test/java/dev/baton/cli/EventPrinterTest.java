package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.item.Image;
import dev.baton.item.RunItem;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.run.RunEvent;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("What the commands print of a run's tool calls")
class EventPrinterTest {

    @Test
    void a_tool_result_with_an_image_names_the_image_after_its_text() {
        StringWriter out = new StringWriter();
        Terminal terminal = new Terminal(new BufferedReader(new StringReader("")), new PrintWriter(out, true),
                new PrintWriter(new StringWriter()), Map.of(), Path.of("."), false);
        EventPrinter printer = new EventPrinter(terminal, false);
        Instant now = Instant.now();
        Image scan = Image.ofBytes("image/png", new byte[2048]);

        printer.accept(new RunEvent.ToolCalled("run_1", 1, "billing", now,
                new RunItem.ToolCallItem("billing", new ToolCall("c1", "get_receipt", "{\"id\":\"R-1\"}"))));
        printer.accept(new RunEvent.ToolFinished("run_1", 2, "billing", now,
                new RunItem.ToolOutputItem("billing", new ToolOutput("c1", "Receipt R-1:", List.of(scan)), false)));
        terminal.out().flush();

        assertThat(out.toString()).contains("=> get_receipt: Receipt R-1: [image/png image, 2.0 KB]").doesNotContain("base64");
    }
}
