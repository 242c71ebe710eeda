package io.paxlog.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The core is a deterministic state machine: no I/O, no threads, no clocks, no randomness of its
 * own, and nothing from the layers above it. These rules fail the build when that slips.
 */
class ArchitectureTest {

    private static JavaClasses core;
    private static JavaClasses api;

    @BeforeAll
    static void importClasses() {
        ClassFileImporter importer = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS);
        core = importer.importPackages("io.paxlog.core");
        api = importer.importPackages("io.paxlog.api");
    }

    /**
     * The stream types a snapshot is written to and read from (issue 9): the core serializes into a stream
     * it is handed, or into memory, and opens nothing. Files, channels and sockets stay forbidden.
     */
    private static final DescribedPredicate<JavaClass> IN_MEMORY_STREAMS = JavaClass.Predicates.belongToAnyOf(
            InputStream.class, OutputStream.class, IOException.class, UncheckedIOException.class,
            ByteArrayInputStream.class, ByteArrayOutputStream.class);

    @Test
    void coreDoesNoIo() {
        ArchRule rule = noClasses().that().resideInAPackage("io.paxlog.core..")
                .should().dependOnClassesThat(JavaClass.Predicates.resideInAnyPackage("java.io..", "java.nio..",
                        "java.net..", "javax.net..", "java.nio.channels..", "java.nio.file..", "java.sql..", "java.rmi..")
                        .and(DescribedPredicate.not(IN_MEMORY_STREAMS)))
                .because("the core must be driven by the simulator: storage and network are injected");
        rule.check(core);
    }

    @Test
    void theStreamExceptionStillCatchesAFile() {
        JavaClasses withFile = new ClassFileImporter().importClasses(java.io.FileOutputStream.class);
        assertThat(JavaClass.Predicates.resideInAnyPackage("java.io..").and(DescribedPredicate.not(IN_MEMORY_STREAMS))
                .test(withFile.get(java.io.FileOutputStream.class)))
                .as("a file stream is not an in-memory stream, though it is an OutputStream").isTrue();
    }

    @Test
    void coreHasNoThreadsOrConcurrency() {
        ArchRule rule = noClasses().that().resideInAPackage("io.paxlog.core..")
                .should().dependOnClassesThat().resideInAnyPackage("java.util.concurrent..")
                .orShould().dependOnClassesThat().areAssignableTo(Thread.class)
                .orShould().dependOnClassesThat().areAssignableTo(Runnable.class)
                .because("one thread owns a replica; concurrency lives in the runtime above the core");
        rule.check(core);
    }

    @Test
    void coreReadsNoClock() {
        ArchRule rule = noClasses().that().resideInAPackage("io.paxlog.core..")
                .should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().dependOnClassesThat().resideInAnyPackage("java.time..")
                .because("time arrives as a value passed to tick()");
        rule.check(core);
    }

    @Test
    void coreHasNoRandomnessOfItsOwn() {
        ArchRule rule = noClasses().that().resideInAPackage("io.paxlog.core..")
                .should().dependOnClassesThat().areAssignableTo(java.util.Random.class)
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.concurrent.ThreadLocalRandom")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.SplittableRandom")
                .orShould().callMethod(Math.class, "random")
                .because("randomness is an injected RandomGenerator seeded by the runtime or the simulator");
        rule.check(core);
    }

    @Test
    void coreDependsOnNothingAboveIt() {
        ArchRule rule = noClasses().that().resideInAPackage("io.paxlog.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.paxlog.storage..", "io.paxlog.transport..",
                        "io.paxlog.server..", "io.paxlog.client..", "io.paxlog.kv..", "io.paxlog.lock..",
                        "io.paxlog.sim..", "io.paxlog.cli..", "io.paxlog.bench..");
        rule.check(core);
    }

    @Test
    void apiDependsOnNothingButTheJdk() {
        ArchRule rule = noClasses().that().resideInAPackage("io.paxlog.api..")
                .should().dependOnClassesThat().resideInAnyPackage("io.paxlog.core..", "io.paxlog.storage..",
                        "io.paxlog.transport..", "io.paxlog.server..", "io.paxlog.client..", "io.paxlog.sim..",
                        "io.paxlog.cli..");
        rule.check(api);
    }
}
