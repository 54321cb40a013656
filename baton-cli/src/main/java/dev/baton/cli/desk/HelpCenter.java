package dev.baton.cli.desk;

import dev.baton.mcp.McpToolProvider;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The support desk's help center: the {@link KnowledgeBaseServer} MCP server, reached through
 * {@link McpToolProvider#stdio}. The server is a child JVM (this JVM's {@code java}, on this JVM's
 * class path, so it starts the same from {@code baton.jar}, from the launcher's trained archive or
 * from a test's class path), started the first time an agent needs its tools and ended when the
 * provider is closed.
 *
 * <p>The provider's fingerprint names the server's class rather than the command line: the path of
 * {@code java} and the class path differ between machines and installs, and a durable run started
 * by one process must go on in another (a worker taking it over, an approval decided elsewhere).
 */
final class HelpCenter {
    /** The provider's name, in errors and traces. */
    static final String NAME = "help_center";

    private HelpCenter() {}

    /** A provider of the help center's search tool; the server starts on first use. */
    static McpToolProvider provider() {
        List<String> command = command();
        return McpToolProvider.stdio(NAME, command.getFirst(), command.subList(1, command.size()).toArray(String[]::new))
                .fingerprint(KnowledgeBaseServer.class.getName())
                .allow(KnowledgeBaseServer.TOOL)
                .callTimeout(Duration.ofSeconds(30))
                .build();
    }

    /**
     * The command that starts the server: this JVM's {@code java}, options for a small short-lived
     * process, and this JVM's class path with each entry made absolute.
     */
    static List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(javaCommand());
        command.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath(),
                KnowledgeBaseServer.class.getName()));
        return command;
    }

    private static String javaCommand() {
        boolean windows = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
        Path java = Path.of(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java");
        if (Files.isExecutable(java)) {
            return java.toString();
        }
        return ProcessHandle.current().info().command().orElse(java.toString());
    }

    private static String classPath() {
        String path = System.getProperty("java.class.path", "");
        return Arrays.stream(path.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }
}
