package io.paxlog.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The server runs services it does not know: it finds them, and their HTTP routes, through
 * ServiceLoader. Only the route providers may name a service's classes, since routes are made of them.
 */
class ServerArchitectureTest {

    @Test
    void noServerCodeButTheRouteProvidersNamesAService() {
        JavaClasses server = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.paxlog.server");
        ArchRule rule = noClasses().that().resideInAPackage("io.paxlog.server..")
                .and().haveNameNotMatching("io\\.paxlog\\.server\\.http\\.(KvRoutes|LockRoutes)(\\$.*)?")
                .should().dependOnClassesThat().resideInAnyPackage("io.paxlog.kv..", "io.paxlog.lock..",
                        "io.paxlog.journal..")
                .because("a user's service must run exactly as the bundled ones do: found by name, never by a switch");
        rule.check(server);
    }
}
