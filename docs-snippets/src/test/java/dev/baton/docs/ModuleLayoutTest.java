package dev.baton.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The modules are what docs/architecture.md says they are, and each package lives in one module:
 * a package split across modules hides which module a class belongs to, and is refused outright
 * once the modules become JPMS modules.
 */
@DisplayName("The module layout")
class ModuleLayoutTest {

    /**
     * Packages allowed in more than one module, with the reason. benchmarks' HotPathBenchmark
     * measures the loop's package-private phases one by one, which only code in dev.baton.run can.
     */
    private static final Map<String, String> SHARED_PACKAGES = Map.of(
            "dev.baton.run", "benchmarks' HotPathBenchmark reaches the loop's package-private phases");

    private static final Pattern MODULE_ROW = Pattern.compile("^\\| `([\\w-]+)` \\| (.*) \\| (.*) \\|$");
    private static final Pattern BATON_MODULE = Pattern.compile(
            "(?<![-\\w])(core|testing|durable|offline|openai|otel|jdbc|server|runtime|kafka|mcp|cli)(?![-\\w])('s test-jar)?");

    private static Path root() {
        String root = System.getProperty("baton.docs.root");
        Path path = root != null ? Path.of(root) : Path.of("..");
        return path.toAbsolutePath().normalize();
    }

    @Test
    @DisplayName("no package has sources in two modules (main and test sources of a package live in one module)")
    void no_package_is_split_across_modules() throws Exception {
        Map<String, Set<String>> modulesOfPackage = new TreeMap<>();
        for (String module : reactorModules()) {
            for (String tree : List.of("src/main/java", "src/test/java")) {
                Path sources = root().resolve(module).resolve(tree);
                if (!Files.isDirectory(sources)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(sources)) {
                    files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                        String pkg = sources.relativize(f.getParent()).toString().replace('/', '.');
                        modulesOfPackage.computeIfAbsent(pkg, p -> new TreeSet<>()).add(module);
                    });
                }
            }
        }
        Map<String, Set<String>> split = new TreeMap<>();
        modulesOfPackage.forEach((pkg, modules) -> {
            if (modules.size() > 1 && !SHARED_PACKAGES.containsKey(pkg)) {
                split.put(pkg, modules);
            }
        });

        assertThat(split).as("packages with sources in more than one module").isEmpty();
        SHARED_PACKAGES.forEach((pkg, reason) -> assertThat(modulesOfPackage.getOrDefault(pkg, Set.of()))
                .as("%s is allowed in several modules (%s); once it is not, drop the exemption", pkg, reason)
                .hasSizeGreaterThan(1));
        assertThat(modulesOfPackage).as("the walk found the sources").containsKeys("dev.baton.durable", "dev.baton.offline");
        assertThat(modulesOfPackage.get("dev.baton.durable")).containsExactly("baton-durable");
        assertThat(modulesOfPackage.get("dev.baton.offline")).containsExactly("baton-offline");
    }

    @Test
    @DisplayName("docs/architecture.md lists every module of the build, and the Baton modules each depends on")
    void the_architecture_page_lists_the_modules_and_their_dependencies() throws Exception {
        Map<String, String> documented = new TreeMap<>();
        for (String line : Files.readAllLines(root().resolve("docs/architecture.md"), StandardCharsets.UTF_8)) {
            Matcher row = MODULE_ROW.matcher(line);
            if (row.matches() && !row.group(1).equals("module")) {
                documented.put(row.group(1), row.group(3));
            }
        }

        assertThat(documented.keySet()).as("modules in docs/architecture.md").containsExactlyInAnyOrderElementsOf(reactorModules());
        for (String module : reactorModules()) {
            String cell = documented.get(module);
            int tests = cell.indexOf("(tests");
            assertThat(batonModules(tests < 0 ? cell : cell.substring(0, tests)))
                    .as("%s: Baton modules docs/architecture.md says it depends on (expected: those of its pom.xml)", module)
                    .isEqualTo(batonDependencies(module, false));
            assertThat(batonModules(tests < 0 ? "" : cell.substring(tests)))
                    .as("%s: Baton modules docs/architecture.md says its tests depend on (expected: those of its pom.xml)", module)
                    .isEqualTo(batonDependencies(module, true));
        }
    }

    private static Set<String> batonModules(String text) {
        Set<String> modules = new TreeSet<>();
        Matcher m = BATON_MODULE.matcher(text);
        while (m.find()) {
            modules.add("baton-" + m.group(1) + (m.group(2) != null ? ":test-jar" : ""));
        }
        return modules;
    }

    private static List<String> reactorModules() throws Exception {
        return childTexts(pom(root().resolve("pom.xml")).getDocumentElement(), "modules", "module");
    }

    /** The module's dependencies on Baton modules, in test scope or in any other scope. */
    private static Set<String> batonDependencies(String module, boolean testScope) throws Exception {
        Set<String> modules = new TreeSet<>();
        Element project = pom(root().resolve(module).resolve("pom.xml")).getDocumentElement();
        for (Element dependency : children(child(project, "dependencies"), "dependency")) {
            String groupId = text(dependency, "groupId");
            String artifactId = text(dependency, "artifactId");
            boolean isTest = "test".equals(text(dependency, "scope"));
            if ("dev.baton".equals(groupId) && isTest == testScope) {
                modules.add(artifactId + ("test-jar".equals(text(dependency, "type")) ? ":test-jar" : ""));
            }
        }
        return modules;
    }

    private static Document pom(Path file) throws Exception {
        try (var in = Files.newInputStream(file)) {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
        } catch (IOException e) {
            throw new IOException("reading " + file, e);
        }
    }

    private static List<String> childTexts(Element parent, String list, String item) {
        return children(child(parent, list), item).stream().map(e -> e.getTextContent().trim()).toList();
    }

    private static Element child(Element parent, String name) {
        return children(parent, name).stream().findFirst()
                .orElseThrow(() -> new AssertionError("no <" + name + "> in <" + parent.getTagName() + ">"));
    }

    private static List<Element> children(Element parent, String name) {
        NodeList nodes = parent.getChildNodes();
        List<Element> found = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i).getNodeType() == Node.ELEMENT_NODE && nodes.item(i).getNodeName().equals(name)) {
                found.add((Element) nodes.item(i));
            }
        }
        return found;
    }

    private static String text(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0).getTextContent().trim();
    }
}
