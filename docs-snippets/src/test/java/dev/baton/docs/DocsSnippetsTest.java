package dev.baton.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every Java block of README.md and docs/*.md compiles as shown, and the blocks marked run run. */
@DisplayName("The docs' Java")
class DocsSnippetsTest {

    private static Path root() {
        String root = System.getProperty("baton.docs.root");
        Path path = root != null ? Path.of(root) : Path.of("..");
        return path.toAbsolutePath().normalize();
    }

    private static List<Path> pages() throws IOException {
        Path root = root();
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /**
     * Blocks that run write where they stand, as a reader's would (a {@code .baton/} store); the
     * build runs them in target/snippets-run, emptied first so every build starts as a fresh clone.
     */
    @BeforeAll
    static void freshWorkingDirectory() throws IOException {
        Path here = Path.of("").toAbsolutePath();
        if (here.getFileName() != null && here.getFileName().toString().equals("snippets-run")) {
            try (Stream<Path> files = Files.walk(here)) {
                files.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(here)).forEach(p -> p.toFile().delete());
            }
        }
    }

    @TestFactory
    @DisplayName("each page's Java blocks compile, in the page's order, with the documented imports")
    Stream<DynamicTest> every_page_compiles() throws IOException {
        Path root = root();
        return pages().stream().map(page -> {
            String name = root.relativize(page).toString();
            return DynamicTest.dynamicTest(name, () -> {
                PageCheck.Result result = PageCheck.check(name, Files.readString(page, StandardCharsets.UTF_8));
                if (!result.problems().isEmpty()) {
                    fail(result.problems().size() + " problem(s) in the Java of " + name + ":\n"
                            + result.problems().stream().map(Object::toString).collect(Collectors.joining("\n")));
                }
            });
        });
    }

    @Test
    @DisplayName("the check finds the pages: the README and the concepts page have Java blocks, and the README's first desk is run")
    void the_pages_are_found() throws IOException {
        Path root = root();
        List<CodeBlock> readme = CodeBlock.parse("README.md", Files.readString(root.resolve("README.md")));
        List<CodeBlock> concepts = CodeBlock.parse("docs/concepts.md", Files.readString(root.resolve("docs/concepts.md")));
        assertThat(readme).filteredOn(b -> b.language().equals("java")).hasSizeGreaterThanOrEqualTo(4);
        assertThat(readme).filteredOn(b -> b.language().equals("java") && b.hasFlag("run")).isNotEmpty();
        assertThat(concepts).filteredOn(b -> b.language().equals("java")).hasSizeGreaterThanOrEqualTo(10);
    }
}
