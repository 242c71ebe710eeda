package io.paxlog.server.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.StateMachine;
import io.paxlog.api.service.Service;
import io.paxlog.kv.KvCommands;
import io.paxlog.kv.KvResult;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding services by name among those on the class path, and refusing a name that picks none or two. */
class ServiceCatalogTest {

    private static final String REGISTRY = "META-INF/services/" + Service.class.getName();

    @TempDir
    Path dir;

    @Test
    void theServerFindsTheServicesOfItsClassPathByNameAndNotByKnowingThem() {
        ServiceCatalog services = ServiceCatalog.onClassPath();
        assertThat(services.names()).containsExactly("journal", "kv", "lock");
        for (String name : services.names()) {
            assertThat(services.problem(name)).as(name).isNull();
            assertThat(services.named(name).name()).isEqualTo(name);
        }
        assertThatThrownBy(() -> services.named("counter")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no service named \"counter\" on the class path; found: [journal, kv, lock]");
    }

    @Test
    void eachMachineOfAServiceStartsEmpty() {
        Service<?, ?> kv = ServiceCatalog.onClassPath().named("kv");
        StateMachine one = kv.newStateMachine();
        one.apply(1, KvCommands.put(new byte[] {1}, new byte[] {2}));
        StateMachine other = kv.newStateMachine();
        assertThat(KvCommands.decodeResult(other.apply(2, KvCommands.get(new byte[] {1})))).isEqualTo(new KvResult.NotFound());
    }

    @Test
    void twoServicesClaimingOneNameAreBothRefusedAndNamed() throws IOException {
        try (URLClassLoader loader = withRegistry(ImpostorKvService.class.getName())) {
            ServiceCatalog services = ServiceCatalog.load(loader);
            assertThat(services.problem("kv")).startsWith("the name \"kv\" is claimed by 2 services on the class path: ")
                    .contains("io.paxlog.kv.KvService (from ", "io.paxlog.server.service.ImpostorKvService (from ")
                    .endsWith("; keep only one of them");
            assertThatThrownBy(() -> services.named("kv")).hasMessage(services.problem("kv"));
            assertThat(services.problem("lock")).as("the other services still run").isNull();
        }
    }

    @Test
    void aProviderThatCannotBeLoadedIsReportedWithTheNameNotFound() throws IOException {
        try (URLClassLoader loader = withRegistry("com.example.MissingService")) {
            ServiceCatalog services = ServiceCatalog.load(loader);
            assertThat(services.names()).containsExactly("journal", "kv", "lock");
            assertThat(services.problem("missing")).startsWith("no service named \"missing\"")
                    .contains("could not load: ", "com.example.MissingService");
        }
    }

    /** A class loader over this class path plus one more registry file listing {@code provider}. */
    private URLClassLoader withRegistry(String provider) throws IOException {
        Path registry = dir.resolve(REGISTRY);
        Files.createDirectories(registry.getParent());
        Files.writeString(registry, provider + "\n");
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }
}
