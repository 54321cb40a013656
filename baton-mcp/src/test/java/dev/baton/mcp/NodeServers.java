package dev.baton.mcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real MCP servers of the tests: {@code @modelcontextprotocol/server-everything} and
 * {@code server-filesystem} from the npm registry, and {@code changing-server.mjs} on the official
 * TypeScript SDK, installed once with {@code npm ci} from {@code src/test/node} (pinned by its
 * lock file) into {@code target/mcp-servers}, and run with the machine's Node.js.
 */
final class NodeServers {
    private static final Path SOURCE = Path.of("src", "test", "node").toAbsolutePath();
    private static final Path DIR = Path.of("target", "mcp-servers").toAbsolutePath();
    private static final List<String> FILES = List.of("package.json", "package-lock.json", "changing-server.mjs");

    private NodeServers() {}

    /** The folder with node_modules, installed if it is missing or older than the lock file. */
    static synchronized Path installed() {
        try {
            Files.createDirectories(DIR);
            boolean fresh = Files.exists(DIR.resolve("node_modules/.package-lock.json"))
                    && Files.readString(DIR.resolve("package-lock.json")).equals(Files.readString(SOURCE.resolve("package-lock.json")));
            for (String f : FILES) {
                Files.copy(SOURCE.resolve(f), DIR.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
            if (!fresh) {
                Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(DIR.toFile())
                        .redirectErrorStream(true).redirectOutput(DIR.resolve("npm-ci.log").toFile()).start();
                if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                    npm.destroyForcibly();
                    throw new IllegalStateException("npm ci of the MCP test servers failed in " + DIR + ":\n"
                            + Files.readString(DIR.resolve("npm-ci.log")));
                }
            }
            return DIR;
        } catch (IOException e) {
            throw new UncheckedIOException("installing the MCP test servers with npm (is Node.js installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code node <server-everything> stdio}, as command and arguments. */
    static List<String> everything() {
        return List.of("node", installed().resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js").toString(), "stdio");
    }

    /** {@code node <server-filesystem> <folder>}. */
    static List<String> filesystem(Path folder) {
        return List.of("node", installed().resolve("node_modules/@modelcontextprotocol/server-filesystem/dist/index.js").toString(),
                folder.toString());
    }

    /** {@code node changing-server.mjs}. */
    static List<String> changing() {
        return List.of("node", installed().resolve("changing-server.mjs").toString());
    }

    /** server-everything over Streamable HTTP on a free loopback port; its endpoint is {@code /mcp}. */
    static Http everythingOverHttp() {
        Path dir = installed();
        int port = freePort();
        try {
            ProcessBuilder pb = new ProcessBuilder("node", dir.resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js")
                    .toString(), "streamableHttp").redirectErrorStream(true).redirectOutput(dir.resolve("everything-http-" + port + ".log").toFile());
            pb.environment().put("PORT", Integer.toString(port));
            Process p = pb.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return new Http(p, "http://127.0.0.1:" + port + "/mcp");
                } catch (IOException notYet) {
                    if (!p.isAlive() || System.nanoTime() > deadline) {
                        p.destroyForcibly();
                        throw new IllegalStateException("server-everything did not listen on port " + port + ": "
                                + Files.readString(dir.resolve("everything-http-" + port + ".log"), StandardCharsets.UTF_8));
                    }
                    Thread.sleep(100);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A server process listening at {@code url}; closing it ends the process. */
    record Http(Process process, String url) implements AutoCloseable {
        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
