package dev.baton.docs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The convention of docs/writing-docs.md: how the Java blocks of a page are compiled and run. */
@DisplayName("Checking a page's Java blocks")
class PageCheckTest {

    private static final String FENCE = "```";

    private static String java(String code) {
        return FENCE + "java\n" + code + FENCE + "\n";
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty("docs.snippets.ran");
    }

    @Test
    @DisplayName("a block uses the names that blocks above it on the same page declared")
    void later_blocks_see_earlier_names() {
        String page = "# Page\n\n" + java("record Support(String customerId) {}\nSupport support = new Support(\"C-1\");\n")
                + "\nSome text.\n\n" + java("String id = support.customerId();\n");
        PageCheck.Result result = PageCheck.check("page.md", page);
        assertThat(result.problems()).isEmpty();
        assertThat(result.checkedBlocks()).isEqualTo(2);
    }

    @Test
    @DisplayName("declaring a name again replaces it for the blocks that follow, as in jshell")
    void a_name_declared_again_replaces_the_earlier_one() {
        String page = java("String answer = \"no\";\n") + java("int answer = 42;\n") + java("int next = answer + 1;\n");
        assertThat(PageCheck.check("page.md", page).problems()).isEmpty();
    }

    @Test
    @DisplayName("a name used before the block that declares it is an error at the page and line where it is used")
    void a_name_is_not_visible_above_its_block() {
        String page = "# Page\n\nText.\n\n" + java("int a = 1;\nint b = later + 1;\n") + java("int later = 2;\n");
        PageCheck.Result result = PageCheck.check("docs/page.md", page);
        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.page()).isEqualTo("docs/page.md");
            assertThat(p.line()).as("the line of `int b = later + 1;` in the page").isEqualTo(7);
            assertThat(p.message()).contains("cannot find symbol").contains("later");
            assertThat(p.toString()).startsWith("docs/page.md:7: ");
        });
    }

    @Test
    @DisplayName("every problem of a page is reported, each at its own line, not only the first")
    void every_problem_is_reported() {
        String page = java("int a = missingOne;\n") + "\n" + java("int b = missingTwo;\n");
        assertThat(PageCheck.check("page.md", page).problems())
                .extracting(PageCheck.Problem::line).containsExactly(2, 6);
    }

    @Test
    @DisplayName("a syntax error is reported at its line")
    void a_syntax_error_is_reported_at_its_line() {
        String page = "Intro.\n" + java("int a = 1;\nint b = ;\n");
        assertThat(PageCheck.check("page.md", page).problems())
                .isNotEmpty().allSatisfy(p -> assertThat(p.line()).isEqualTo(4));
    }

    @Test
    @DisplayName("the Baton packages and java.util, java.time, java.nio.file are imported; a block's own imports apply to the whole page")
    void imports() {
        String page = java("""
                import java.util.concurrent.atomic.AtomicInteger;

                Agent<Void> agent = Agent.<Void>builder("assistant").build();
                List<Duration> waits = List.of(Duration.ofSeconds(1));
                Path file = Path.of("data/baton.db");
                AtomicInteger count = new AtomicInteger();
                """) + java("AtomicInteger more = new AtomicInteger(count.get());\n");
        assertThat(PageCheck.check("page.md", page).problems()).isEmpty();
        assertThat(PageCheck.check("page.md", java("java.util.regex.Matcher m = null;\nPattern p = null;\n")).problems())
                .as("nothing else is imported").singleElement()
                .satisfies(p -> assertThat(p.message()).contains("Pattern"));
    }

    @Test
    @DisplayName("a type written as in its own file, public and with methods, may be declared in a block")
    void public_types_and_their_methods() {
        String page = java("""
                public class Greeter {
                    public String greet(String name) { return "Hello, " + name; }
                }

                String hello = new Greeter().greet("Ada");
                """);
        assertThat(PageCheck.check("page.md", page).problems()).isEmpty();
    }

    @Test
    @DisplayName("a block that starts with package is a source file of its own, and blocks can import its types")
    void package_blocks_are_files() {
        String page = java("""
                package com.example.desk;

                public record Ticket(String id) {
                    public Ticket {
                        if (id.isBlank()) throw new IllegalArgumentException("blank id");
                    }
                }
                """) + java("import com.example.desk.Ticket;\n\nTicket ticket = new Ticket(\"T-1\");\n");
        assertThat(PageCheck.check("page.md", page).problems()).isEmpty();

        String broken = "Text.\n" + java("package com.example.desk;\n\npublic class Broken { int x = \"text\"; }\n");
        assertThat(PageCheck.check("page.md", broken).problems()).singleElement()
                .satisfies(p -> assertThat(p.line()).isEqualTo(5));
    }

    @Test
    @DisplayName("blocks of another language, such as java-sketch, are not checked")
    void other_languages_are_not_checked() {
        String page = FENCE + "java-sketch\nthis is { not Java\n" + FENCE + "\n" + FENCE + "sh\n./baton demo\n" + FENCE + "\n";
        PageCheck.Result result = PageCheck.check("page.md", page);
        assertThat(result.problems()).isEmpty();
        assertThat(result.checkedBlocks()).isZero();
    }

    @Test
    @DisplayName("a variable declared with var is refused: a later block's reader should see its type")
    void var_is_refused() {
        assertThat(PageCheck.check("page.md", "\n" + java("var runner = Runner.create();\n")).problems())
                .singleElement().satisfies(p -> {
                    assertThat(p.line()).isEqualTo(3);
                    assertThat(p.message()).contains("runner").contains("not var");
                });
    }

    @Test
    @DisplayName("a block marked run runs, after the blocks above it, in order")
    void run_blocks_run() {
        String page = java("List<String> steps = new ArrayList<>();\nsteps.add(\"first\");\n")
                + FENCE + "java run\nsteps.add(\"second\");\nSystem.setProperty(\"docs.snippets.ran\", String.join(\",\", steps));\n" + FENCE + "\n"
                + java("System.setProperty(\"docs.snippets.ran\", \"a block below the run block ran too\");\n");
        PageCheck.Result result = PageCheck.check("page.md", page);
        assertThat(result.problems()).isEmpty();
        assertThat(result.ranBlocks()).isEqualTo(1);
        assertThat(System.getProperty("docs.snippets.ran")).isEqualTo("first,second");
    }

    @Test
    @DisplayName("a block marked run that throws is a problem at its fence, naming the exception")
    void a_failing_run_is_reported() {
        String page = "Text.\n\n" + FENCE + "java run\nif (Path.of(\"x\") != null) throw new IllegalStateException(\"the desk is closed\");\n" + FENCE + "\n";
        assertThat(PageCheck.check("page.md", page).problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.message()).contains("IllegalStateException").contains("the desk is closed");
        });
    }

    @Test
    @DisplayName("a code block that is never closed is reported at its fence, since it would hide the rest of the page")
    void an_unclosed_block_is_reported() {
        String page = "# Page\n\n" + FENCE + "java\nint a = 1;\n\nMore text.\n";
        assertThat(PageCheck.check("page.md", page).problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.message()).contains("never closed");
        });
    }
}
