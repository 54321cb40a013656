package dev.baton.docs;

import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.Trees;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * Compiles the {@code ```java} blocks of one Markdown page as a notebook, and runs the blocks
 * marked {@code ```java run}. The convention (documented in docs/writing-docs.md):
 *
 * <ul>
 *   <li>A block whose code starts with {@code package} is a complete source file and compiles as one.
 *   <li>Every other block is a cell: its {@code import} lines apply to the whole page; the rest is what
 *       a user would write in a method body (statements, and records, classes, interfaces and enums,
 *       which may be {@code public} as in a file of their own).
 *   <li>The cells of a page compile together in order: a cell sees the names (variables and types)
 *       that cells above it on the same page declared; declaring a name again replaces it for the
 *       cells that follow, as in jshell. Variables need their type written out ({@code var} is refused).
 *   <li>Cells also see {@link #IMPORTS}: every Baton package and a few JDK ones.
 *   <li>A cell marked {@code ```java run} runs when the page is checked, after the cells above it.
 *   <li>Blocks of any other language ({@code ```java-sketch}, {@code ```sh}, ...) are not checked.
 * </ul>
 *
 * <p>Cell {@code k} becomes a class {@code Cell<k>} extending {@code Cell<k-1>}: its variables are
 * fields (a later field of the same name hides the earlier one), its types member types, its other
 * statements instance initializers, kept in the cell's order. Each cell keeps its lines, so a
 * compiler error maps back to the page and line where the reader sees it.
 */
final class PageCheck {

    /** The imports every cell gets, as a user of Baton would add them. */
    static final List<String> IMPORTS = List.of(
            "dev.baton.*",
            "dev.baton.agent.*",
            "dev.baton.durable.*",
            "dev.baton.guardrail.*",
            "dev.baton.handoff.*",
            "dev.baton.hook.*",
            "dev.baton.human.*",
            "dev.baton.item.*",
            "dev.baton.jdbc.*",
            "dev.baton.mcp.*",
            "dev.baton.model.*",
            "dev.baton.offline.*",
            "dev.baton.openai.*",
            "dev.baton.otel.*",
            "dev.baton.run.*",
            "dev.baton.schema.*",
            "dev.baton.session.*",
            "dev.baton.testing.*",
            "dev.baton.tool.*",
            "dev.baton.trace.*",
            "java.nio.file.*",
            "java.time.*",
            "java.util.*",
            "java.util.concurrent.*",
            "java.util.function.*");

    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(static\\s+)?[\\w.]+(\\.\\*)?\\s*;\\s*(//.*)?$");
    private static final Pattern PACKAGE = Pattern.compile("(?s)^(\\s|//[^\n]*\n|/\\*.*?\\*/)*package\\s+([\\w.]+)\\s*;.*");
    private static final Pattern TYPE_NAME = Pattern.compile(
            "(?m)^(?:public\\s+|final\\s+|abstract\\s+|sealed\\s+|non-sealed\\s+)*(?:class|interface|record|enum)\\s+(\\w+)");
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "^public((?:\\s+(?:final|abstract|sealed|non-sealed|static))*\\s+(?:class|interface|record|enum)\\b)");
    private static final String WRAP_START = "class Wrap { void body() throws Throwable {\n";

    /** A problem of a page, at the line where the reader sees it. */
    record Problem(String page, int line, String message) {
        @Override
        public String toString() {
            return page + ":" + line + ": " + message;
        }
    }

    /** What checking a page found: the problems (none when it is fine) and how many blocks it checked. */
    record Result(List<Problem> problems, int checkedBlocks, int ranBlocks) {}

    private PageCheck() {}

    private static final JavaCompiler COMPILER = ToolProvider.getSystemJavaCompiler();

    /**
     * One file manager for every check: it keeps the class path's jars open and indexed, which is
     * most of what a compilation costs here.
     */
    private static final StandardJavaFileManager FILES = fileManager();

    private static StandardJavaFileManager fileManager() {
        StandardJavaFileManager files = COMPILER.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
        List<File> classPath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank()).map(File::new).toList();
        try {
            files.setLocation(StandardLocation.CLASS_PATH, classPath);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** Checks every {@code ```java} block of {@code markdown}; {@code page} names it in problems. */
    static Result check(String page, String markdown) {
        List<CodeBlock> blocks;
        try {
            blocks = CodeBlock.parse(page, markdown);
        } catch (CodeBlock.UnclosedBlock e) {
            return new Result(List.of(new Problem(page, e.line(), "the code block opened here is never closed")), 0, 0);
        }
        List<CodeBlock> java = blocks.stream().filter(b -> b.language().equals("java")).toList();
        if (java.isEmpty()) {
            return new Result(List.of(), 0, 0);
        }
        return new PageCheck.Run(page, java).check();
    }

    /** One check of one page. */
    private static final class Run {
        private final String page;
        private final List<CodeBlock> blocks;
        private final String pkg;
        private final List<Problem> problems = new ArrayList<>();
        private final JavaCompiler compiler = COMPILER;

        Run(String page, List<CodeBlock> blocks) {
            this.page = page;
            this.blocks = blocks;
            this.pkg = "snippets." + page.toLowerCase(Locale.ROOT).replaceAll("\\.md$", "").replaceAll("[^a-z0-9]+", "_");
        }

        Result check() {
            List<Source> sources = new ArrayList<>();
            List<CodeBlock> cells = new ArrayList<>();
            for (CodeBlock block : blocks) {
                Matcher pkgMatcher = PACKAGE.matcher(block.code());
                if (pkgMatcher.matches()) {
                    sources.add(fileOf(block, pkgMatcher.group(2)));
                } else {
                    cells.add(block);
                }
            }
            List<Integer> runs = new ArrayList<>();
            if (!cells.isEmpty()) {
                sources.add(notebookOf(cells));
                for (int k = 0; k < cells.size(); k++) {
                    if (cells.get(k).hasFlag("run")) {
                        runs.add(k);
                    }
                }
            }
            for (CodeBlock block : blocks) {
                if (block.hasFlag("run") && !cells.contains(block)) {
                    problems.add(new Problem(page, block.firstLine() - 1, "only a cell (not a package file) can be marked run"));
                }
            }
            if (!problems.isEmpty()) {
                return new Result(List.copyOf(problems), blocks.size(), 0);
            }
            Path out = compile(sources);
            int ran = 0;
            try {
                if (problems.isEmpty()) {
                    for (int k : runs) {
                        runCell(out, k, cells.get(k));
                        ran++;
                    }
                }
            } finally {
                deleteTree(out);
            }
            return new Result(List.copyOf(problems), blocks.size(), ran);
        }

        private Source fileOf(CodeBlock block, String packageName) {
            Matcher type = TYPE_NAME.matcher(block.code());
            String name = type.find() ? type.group(1) : "Unnamed";
            List<Integer> origins = new ArrayList<>();
            String[] lines = block.code().split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                origins.add(block.pageLine(i));
            }
            return new Source(packageName.replace('.', '/') + "/" + name + ".java", block.code(), origins);
        }

        /** The page's cells as one source file, a chain of classes, each cell on its own lines. */
        private Source notebookOf(List<CodeBlock> cells) {
            Set<String> imports = new LinkedHashSet<>();
            List<Integer> importOrigins = new ArrayList<>();
            List<String> bodies = new ArrayList<>();
            for (CodeBlock cell : cells) {
                String[] lines = cell.code().split("\n", -1);
                StringBuilder body = new StringBuilder();
                for (int i = 0; i < lines.length; i++) {
                    if (IMPORT.matcher(lines[i]).matches()) {
                        String line = lines[i].strip();
                        if (imports.add(line)) {
                            importOrigins.add(cell.pageLine(i));
                        }
                        body.append('\n');
                    } else {
                        // A type written as in its own file may be public; a cell's type cannot, so the word goes.
                        String line = PUBLIC_TYPE.matcher(lines[i]).replaceFirst("      $1");
                        body.append(line).append(i < lines.length - 1 ? "\n" : "");
                    }
                }
                bodies.add(body.toString());
            }
            List<List<Piece>> pieces = split(cells, bodies);

            Emitter out = new Emitter();
            out.synthetic("package " + pkg + ";", cells.get(0).firstLine());
            for (String fixed : IMPORTS) {
                out.synthetic("import " + fixed + ";", cells.get(0).firstLine());
            }
            int n = 0;
            for (String line : imports) {
                out.line(line, importOrigins.get(n++));
            }
            out.synthetic("final class Page {", cells.get(0).firstLine());
            for (int k = 0; k < cells.size(); k++) {
                CodeBlock cell = cells.get(k);
                String name = "Cell" + k;
                String parent = k == 0 ? "" : " extends Cell" + (k - 1);
                out.synthetic("static class " + name + parent + " { " + name + "() throws Throwable {}", cell.firstLine());
                StringBuilder text = new StringBuilder();
                for (Piece piece : pieces.get(k)) {
                    text.append(piece.text());
                }
                String[] lines = text.toString().split("\n", -1);
                for (int i = 0; i < lines.length; i++) {
                    out.line(lines[i], cell.pageLine(i));
                }
                out.synthetic("}", cell.pageLine(Math.max(0, lines.length - 1)));
            }
            out.synthetic("}", cells.get(cells.size() - 1).firstLine());
            return new Source(pkg.replace('.', '/') + "/Page.java", out.text(), out.origins());
        }

        /** A part of a cell's text as it goes into its class: verbatim, or wrapped in an initializer. */
        private record Piece(String text) {}

        /** Parses each cell as a method body and splits it into class members, in order. */
        private List<List<Piece>> split(List<CodeBlock> cells, List<String> bodies) {
            List<JavaFileObject> wrappers = new ArrayList<>();
            Map<JavaFileObject, Integer> index = new IdentityHashMap<>();
            for (int k = 0; k < cells.size(); k++) {
                JavaFileObject file = new Source("wrap/Wrap" + k + ".java", WRAP_START + bodies.get(k) + "\n}}\n", List.of());
                wrappers.add(file);
                index.put(file, k);
            }
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            JavacTask task = (JavacTask) compiler.getTask(null, FILES, diagnostics, List.of("-proc:none"), null, wrappers);
            List<List<Piece>> result = new ArrayList<>();
            try {
                List<CompilationUnitTree> units = new ArrayList<>();
                task.parse().forEach(units::add);
                for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                    if (d.getKind() == Diagnostic.Kind.ERROR) {
                        CodeBlock cell = cells.get(index.get(d.getSource()));
                        problems.add(new Problem(page, cell.pageLine((int) d.getLineNumber() - 2), message(d)));
                    }
                }
                SourcePositions positions = Trees.instance(task).getSourcePositions();
                for (int k = 0; k < cells.size(); k++) {
                    result.add(pieces(cells.get(k), bodies.get(k), units.get(k), positions));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return result;
        }

        private List<Piece> pieces(CodeBlock cell, String body, CompilationUnitTree unit, SourcePositions positions) {
            ClassTree wrap = (ClassTree) unit.getTypeDecls().get(0);
            MethodTree method = wrap.getMembers().stream()
                    .filter(MethodTree.class::isInstance).map(MethodTree.class::cast)
                    .filter(m -> m.getName().contentEquals("body")).findFirst().orElseThrow();
            BlockTree block = method.getBody();
            int offset = WRAP_START.length();
            List<Piece> pieces = new ArrayList<>();
            int at = 0;
            List<? extends StatementTree> statements = block.getStatements();
            for (int s = 0; s < statements.size(); s++) {
                StatementTree statement = statements.get(s);
                int start = (int) positions.getStartPosition(unit, statement) - offset;
                int end = (int) positions.getEndPosition(unit, statement) - offset;
                if (start < at) {
                    continue;   // the second name of "int a = 1, b = 2;" is already in the first's text
                }
                if (statement instanceof VariableTree) {
                    // Several names in one declaration share its start; take the text up to the last one's end.
                    while (s + 1 < statements.size() && statements.get(s + 1) instanceof VariableTree
                            && positions.getStartPosition(unit, statements.get(s + 1)) - offset == start) {
                        s++;
                        end = (int) positions.getEndPosition(unit, statements.get(s)) - offset;
                    }
                }
                if (start < 0 || end > body.length() || end < start) {
                    continue;
                }
                pieces.add(new Piece(body.substring(at, start)));
                String text = body.substring(start, end);
                if (statement instanceof ClassTree) {
                    pieces.add(new Piece(text));
                } else if (statement instanceof VariableTree variable) {
                    if (text.startsWith("var ") || text.matches("(?s)^(final\\s+)?var\\s.*")) {
                        problems.add(new Problem(page, lineOf(cell, body, start),
                                "declare " + variable.getName() + " with its type, not var: a cell's variables are"
                                        + " names later cells use, so the reader should see their type"));
                    }
                    pieces.add(new Piece(text));
                } else {
                    pieces.add(new Piece("{ " + text + " }"));
                }
                at = end;
            }
            pieces.add(new Piece(body.substring(Math.min(at, body.length()))));
            return pieces;
        }

        private static int lineOf(CodeBlock cell, String body, int offset) {
            int line = 0;
            for (int i = 0; i < offset; i++) {
                if (body.charAt(i) == '\n') {
                    line++;
                }
            }
            return cell.pageLine(line);
        }

        private Path compile(List<Source> sources) {
            Path out;
            try {
                out = Files.createTempDirectory("baton-docs-snippets");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            List<String> options = List.of("--release", "21", "-proc:none", "-implicit:none", "-nowarn");
            try {
                FILES.setLocation(StandardLocation.CLASS_OUTPUT, List.of(out.toFile()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            compiler.getTask(null, FILES, diagnostics, options, null, sources).call();
            diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .sorted(Comparator.comparingLong(Diagnostic::getLineNumber))
                    .forEach(d -> {
                        int line = d.getSource() instanceof Source source ? source.pageLine(d.getLineNumber()) : 1;
                        problems.add(new Problem(page, line, message(d)));
                    });
            problems.sort(Comparator.comparingInt(Problem::line));
            return out;
        }

        /** Runs the cells up to and including cell {@code k}, in order, as the reader would. */
        private void runCell(Path out, int k, CodeBlock cell) {
            try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, PageCheck.class.getClassLoader())) {
                Class<?> type = loader.loadClass(pkg + ".Page$Cell" + k);
                var constructor = type.getDeclaredConstructor();
                constructor.setAccessible(true);
                constructor.newInstance();
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                problems.add(new Problem(page, cell.firstLine() - 1,
                        "running the page's blocks up to this one threw " + cause));
            } catch (ReflectiveOperationException | IOException e) {
                problems.add(new Problem(page, cell.firstLine() - 1, "could not run this block: " + e));
            }
        }

        private static String message(Diagnostic<? extends JavaFileObject> d) {
            return String.join(" | ", d.getMessage(Locale.ROOT).lines()
                    .map(String::strip)
                    .filter(l -> !l.startsWith("location:") || !l.contains("Cell"))
                    .toList());
        }
    }

    /** Generated text, remembering for each line the page line it came from. */
    private static final class Emitter {
        private final StringBuilder text = new StringBuilder();
        private final List<Integer> origins = new ArrayList<>();

        void line(String line, int pageLine) {
            text.append(line).append('\n');
            origins.add(pageLine);
        }

        void synthetic(String line, int nearPageLine) {
            line(line, nearPageLine);
        }

        String text() {
            return text.toString();
        }

        List<Integer> origins() {
            return origins;
        }
    }

    /** An in-memory source file whose line i came from page line origins[i-1]. */
    private static final class Source extends SimpleJavaFileObject {
        private final String code;
        private final List<Integer> origins;

        Source(String path, String code, List<Integer> origins) {
            super(URI.create("string:///" + path), Kind.SOURCE);
            this.code = code;
            this.origins = origins;
        }

        int pageLine(long line) {
            if (origins.isEmpty()) {
                return 1;
            }
            int i = (int) Math.max(1, Math.min(line, origins.size()));
            return origins.get(i - 1);
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
