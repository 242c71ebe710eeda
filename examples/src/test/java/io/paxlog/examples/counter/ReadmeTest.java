package io.paxlog.examples.counter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "Embedding paxlog" shows whole files of this module; each must be the file as it is, so
 * that what a reader copies compiles (these files are compiled and tested here).
 */
class ReadmeTest {

    private static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();

    @Test
    void theJavaInTheReadmeIsTheExamplesRealCode() throws IOException {
        String readme = Files.readString(MODULE.resolve("../README.md"));
        int start = readme.indexOf("## Embedding paxlog");
        assertThat(start).as("the README has the section").isNotNegative();
        String section = readme.substring(start, readme.indexOf("\n## ", start + 1));

        List<String> blocks = new ArrayList<>();
        Matcher java = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(section);
        while (java.find()) {
            blocks.add(java.group(1));
        }
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(2);
        Path sources = MODULE.resolve("src/main/java/io/paxlog/examples/counter");
        for (String block : blocks) {
            Matcher type = Pattern.compile("public final class (\\w+)").matcher(block);
            assertThat(type.find()).as("a whole class:\n" + block).isTrue();
            assertThat(block).isEqualTo(Files.readString(sources.resolve(type.group(1) + ".java")));
        }
        assertThat(section).contains("```\n" + Files.readString(
                MODULE.resolve("src/main/resources/META-INF/services/io.paxlog.api.service.Service")) + "```");
        Matcher version = Pattern.compile("<parent>.*?<version>(.*?)</version>", Pattern.DOTALL)
                .matcher(Files.readString(MODULE.resolve("pom.xml")));
        assertThat(version.find()).isTrue();
        assertThat(section).as("the Maven coordinates name this version")
                .contains("<version>" + version.group(1) + "</version>", "paxlog-examples-" + version.group(1) + ".jar");
    }
}
