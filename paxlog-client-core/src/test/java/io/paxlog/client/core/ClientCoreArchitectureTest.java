package io.paxlog.client.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client's rules are a deterministic state machine the simulator can drive: no I/O, no Netty, no
 * threads, no clock, no randomness of its own, and nothing of the shell around it. These rules fail
 * the build when that slips.
 */
class ClientCoreArchitectureTest {

    private static final String CORE = "io.paxlog.client.core..";
    private static JavaClasses core;

    @BeforeAll
    static void importClasses() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.paxlog.client.core");
    }

    @Test
    void theCoreDependsOnThePlainJdkOnly() {
        noClasses().that().resideInAPackage(CORE)
                .should().dependOnClassesThat().resideOutsideOfPackages(CORE, "java.lang..", "java.util",
                        "java.util.function..", "java.util.random..", "java.util.stream..", "io.paxlog.api..")
                .because("the simulator drives the core with its own transport: Netty, the wire and the shell stay out")
                .check(core);
    }

    @Test
    void theCoreReadsNoClockAndDrawsNoRandomnessOfItsOwn() {
        noClasses().that().resideInAPackage(CORE)
                .should().callMethod(System.class, "nanoTime")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(Math.class, "random")
                .orShould().dependOnClassesThat().areAssignableTo(Thread.class)
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.SplittableRandom")
                .because("time is the now of each event, randomness the RandomGenerator it was given")
                .check(core);
    }
}
