package dev.baton.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The public API is what users are meant to call. What Baton's own packages share lives in
 * {@code internal} packages ({@code dev.baton.internal}, {@code dev.baton.durable.internal}), which
 * the docs call not API; see docs/architecture.md and decision 41.
 */
@DisplayName("The API surface")
class ApiSurfaceTest {

    /** The library modules whose public types are API (the CLI and the benchmarks are programs). */
    private static final List<String> LIBRARY_MODULES = List.of(
            "baton-core", "baton-testing", "baton-durable", "baton-offline", "baton-openai", "baton-otel", "baton-jdbc", "baton-server",
            "baton-runtime", "baton-kafka", "baton-mcp");

    /** Methods that were public once and are internals, by the type that has them. */
    private static final Map<String, Set<String>> INTERNAL_METHODS = Map.of(
            "dev.baton.agent.Agent", Set.of("fixedOffer", "reachableAgents"),
            "dev.baton.handoff.Handoff", Set.of("retarget", "runCallback", "spec"),
            "dev.baton.tool.Tool", Set.of("spec"),
            "dev.baton.human.HumanAgent", Set.of("isHuman"),
            "dev.baton.guardrail.ToolGuardrail", Set.of("checkInput", "checkOutput"),
            "dev.baton.model.ModelSettings", Set.of("overriddenBy"));

    /** Types that were public once and are internals (or package-private), by simple name. */
    private static final Set<String> INTERNAL_TYPES = Set.of("Offered", "AgentTools", "JsonSchemas", "JournalCodec");

    @Test
    @DisplayName("no public type of an API package has a public method that was made internal")
    void internal_methods_are_not_public() throws Exception {
        List<String> found = new ArrayList<>();
        for (Class<?> type : apiTypes()) {
            Set<String> names = INTERNAL_METHODS.getOrDefault(type.getName(), Set.of());
            for (Method m : type.getDeclaredMethods()) {
                if (names.contains(m.getName()) && Modifier.isPublic(m.getModifiers())) {
                    found.add(type.getName() + "." + m.getName());
                }
            }
        }

        assertThat(apiTypes()).extracting(Class::getName).containsAll(INTERNAL_METHODS.keySet());
        assertThat(found).as("public methods Baton keeps internal").isEmpty();
    }

    @Test
    @DisplayName("no API package has a public type that is an internal")
    void internal_types_are_not_public_in_api_packages() throws Exception {
        assertThat(apiTypes()).extracting(Class::getSimpleName).doesNotContainAnyElementsOf(INTERNAL_TYPES);
    }

    @Test
    @DisplayName("no public member of an API type mentions a type of an internal package")
    void the_api_does_not_leak_internal_types() throws Exception {
        List<String> leaks = new ArrayList<>();
        for (Class<?> type : apiTypes()) {
            for (Method m : type.getDeclaredMethods()) {
                if (visible(m.getModifiers()) && !m.isSynthetic()) {
                    List<Type> mentioned = new ArrayList<>(List.of(m.getGenericParameterTypes()));
                    mentioned.add(m.getGenericReturnType());
                    mentioned.addAll(List.of(m.getGenericExceptionTypes()));
                    check(type.getName() + "." + m.getName(), mentioned, leaks);
                }
            }
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                if (visible(c.getModifiers()) && !c.isSynthetic()) {
                    check(type.getName() + ".<init>", List.of(c.getGenericParameterTypes()), leaks);
                }
            }
            for (Field f : type.getDeclaredFields()) {
                if (visible(f.getModifiers()) && !f.isSynthetic()) {
                    check(type.getName() + "." + f.getName(), List.of(f.getGenericType()), leaks);
                }
            }
            check(type.getName() + " (supertypes)", supertypes(type), leaks);
        }

        assertThat(leaks).as("public members of API types that mention internal types").isEmpty();
    }

    @Test
    @DisplayName("every internal package and each of its public types says it is not API")
    void internals_say_so() throws Exception {
        List<String> silent = new ArrayList<>();
        for (Path file : sources()) {
            String pkg = packageOf(file);
            if (!isInternal(pkg)) {
                continue;
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            boolean publicType = text.contains("\npublic ");
            boolean packageInfo = file.getFileName().toString().equals("package-info.java");
            if ((publicType || packageInfo) && !text.contains("Not API")) {
                silent.add(file.toString());
            }
        }

        assertThat(silent).as("internal sources whose Javadoc does not say 'Not API'").isEmpty();
    }

    private static void check(String member, List<Type> types, List<String> leaks) {
        for (Type t : types) {
            String name = t.getTypeName();
            if (name.matches(".*\\bdev\\.baton\\.(\\w+\\.)*internal\\..*")) {
                leaks.add(member + " mentions " + name);
            }
        }
    }

    private static List<Type> supertypes(Class<?> type) {
        List<Type> out = new ArrayList<>(List.of(type.getGenericInterfaces()));
        if (type.getGenericSuperclass() != null) {
            out.add(type.getGenericSuperclass());
        }
        return out;
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    /** Every public type, nested ones included, of the library modules' non-internal packages. */
    private static List<Class<?>> apiTypes() throws IOException, ClassNotFoundException {
        List<Class<?>> types = new ArrayList<>();
        ClassLoader loader = ApiSurfaceTest.class.getClassLoader();
        for (Path file : sources()) {
            String pkg = packageOf(file);
            String simple = file.getFileName().toString().replace(".java", "");
            if (isInternal(pkg) || simple.equals("package-info")) {
                continue;
            }
            addPublic(Class.forName(pkg + "." + simple, false, loader), types);
        }
        return types;
    }

    private static void addPublic(Class<?> type, List<Class<?>> types) {
        if (!Modifier.isPublic(type.getModifiers())) {
            return;
        }
        types.add(type);
        for (Class<?> nested : type.getDeclaredClasses()) {
            addPublic(nested, types);
        }
    }

    private static boolean isInternal(String pkg) {
        return pkg.equals("dev.baton.internal") || pkg.endsWith(".internal") || pkg.contains(".internal.");
    }

    private static List<Path> sources() throws IOException {
        Set<Path> files = new TreeSet<>();
        for (String module : LIBRARY_MODULES) {
            Path main = root().resolve(module).resolve("src/main/java");
            try (Stream<Path> walk = Files.walk(main)) {
                walk.filter(f -> f.toString().endsWith(".java")).forEach(files::add);
            }
        }
        assertThat(files).as("library sources under %s", root()).isNotEmpty();
        return List.copyOf(files);
    }

    private static String packageOf(Path file) {
        Path tree = file;
        while (!tree.endsWith(Path.of("src/main/java"))) {
            tree = tree.getParent();
        }
        return tree.relativize(file.getParent()).toString().replace('/', '.');
    }

    private static Path root() {
        String root = System.getProperty("baton.docs.root");
        Path path = root != null ? Path.of(root) : Path.of("..");
        return path.toAbsolutePath().normalize();
    }
}
