package io.paxlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Java client" snippet compiles as printed, against the client and kv jars its Maven
 * coordinates name (issue 11: a snippet without imports, with an undefined variable, did not). Compiled
 * with the JDK's compiler on this module's test class path, which holds both.
 */
class ReadmeJavaClientTest {

    private static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void theJavaClientSnippetCompilesAsPrinted() throws IOException {
        String readme = Files.readString(MODULE.resolve("../README.md"));
        int start = readme.indexOf("## Java client");
        assertThat(start).as("the README has the section").isNotNegative();
        String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
        Matcher java = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(section);
        assertThat(java.find()).as("the section shows Java").isTrue();
        String snippet = java.group(1);
        Matcher type = Pattern.compile("public final class (\\w+)").matcher(snippet);
        assertThat(type.find()).as("the snippet is a whole class").isTrue();
        Path source = dir.resolve(type.group(1) + ".java");
        Files.writeString(source, snippet);

        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, null)) {
            boolean compiled = compiler.getTask(errors, files, null,
                    List.of("-classpath", System.getProperty("java.class.path"), "-d", dir.toString(), "--release", "17"),
                    null, files.getJavaFileObjects(source)).call();
            assertThat(compiled).as("the README's Java client snippet compiles: %s", errors).isTrue();
        }
        assertThat(section).as("the Maven coordinates it needs").contains("<artifactId>paxlog-client</artifactId>",
                "<artifactId>paxlog-kv</artifactId>");
    }
}
