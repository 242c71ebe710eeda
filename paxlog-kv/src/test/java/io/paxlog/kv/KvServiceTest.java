package io.paxlog.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.StateMachine;
import io.paxlog.api.service.LeaderDuties;
import io.paxlog.api.service.Service;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The key-value store as a service: found by name on the class path, fresh machines, the KvCommands format. */
class KvServiceTest {

    @Test
    void theServiceLoaderFindsTheStoreByItsNameAndEachMachineStartsEmpty() {
        List<Service<?, ?>> found = ServiceLoader.load(Service.class).stream()
                .<Service<?, ?>>map(ServiceLoader.Provider::get)
                .filter(service -> service.name().equals("kv")).toList();
        assertThat(found).hasSize(1);
        Service<?, ?> service = found.get(0);
        assertThat(service).isInstanceOf(KvService.class);

        StateMachine first = service.newStateMachine();
        first.apply(1, KvCommands.put(bytes("k"), bytes("v")));
        StateMachine second = service.newStateMachine();
        assertThat(KvCommands.decodeResult(second.apply(2, KvCommands.get(bytes("k"))))).isEqualTo(new KvResult.NotFound());
        assertThat(service.newLeaderDuties(first)).isSameAs(LeaderDuties.NONE);
    }

    @Test
    void theCodecIsTheKvCommandsFormat() {
        KvCodec codec = KvCodec.INSTANCE;
        KvCommand put = new KvCommand.Put(bytes("k"), bytes("v"), KvCommand.Condition.versionIs(3));
        assertThat(codec.encodeCommand(put)).isEqualTo(KvCommands.compareAndSet(bytes("k"), 3, bytes("v")));
        assertThat(codec.decodeCommand(codec.encodeCommand(put))).isEqualTo(put);
        KvResult found = new KvResult.Found(bytes("v"), 9);
        assertThat(codec.decodeResult(codec.encodeResult(found))).isEqualTo(found);
        assertThat(codec.encodeResult(found)).isEqualTo(KvCommands.encodeResult(found));
        assertThatThrownBy(() -> codec.decodeCommand(new byte[0])).isInstanceOf(IllegalArgumentException.class);

        KvService service = new KvService();
        assertThat(service.describeCommand(KvCommands.get(bytes("k")))).startsWith("Get[");
        assertThat(service.describeResult(new byte[] {99})).isEqualTo("1 B (not a kv result)");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
