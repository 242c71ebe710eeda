package io.paxlog.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.StateMachine;
import io.paxlog.api.service.Service;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The lock service: found by name on the class path, fresh machines, the LockCommands format. */
class LockServiceTest {

    @Test
    void theServiceLoaderFindsTheLockServiceByItsNameAndEachMachineStartsEmpty() {
        List<Service<?, ?>> found = ServiceLoader.load(Service.class).stream()
                .<Service<?, ?>>map(ServiceLoader.Provider::get)
                .filter(service -> service.name().equals("lock")).toList();
        assertThat(found).hasSize(1);
        Service<?, ?> service = found.get(0);
        assertThat(service).isInstanceOf(LockService.class);

        StateMachine first = service.newStateMachine();
        first.apply(1, LockCommands.acquire("printer", "alice", 1000));
        StateMachine second = service.newStateMachine();
        assertThat(LockCommands.decodeResult(second.apply(2, LockCommands.acquire("printer", "bob", 1000))))
                .isEqualTo(new LockResult.Granted(2, 1000, false));
    }

    @Test
    void theCodecIsTheLockCommandsFormat() {
        LockCodec codec = LockCodec.INSTANCE;
        LockCommand acquire = new LockCommand.Acquire("printer", "alice", 500);
        assertThat(codec.encodeCommand(acquire)).isEqualTo(LockCommands.acquire("printer", "alice", 500));
        assertThat(codec.decodeCommand(codec.encodeCommand(acquire))).isEqualTo(acquire);
        LockResult released = new LockResult.Released(7);
        assertThat(codec.decodeResult(codec.encodeResult(released))).isEqualTo(released);
        assertThatThrownBy(() -> codec.decodeCommand(new byte[] {1})).isInstanceOf(IllegalArgumentException.class);
        assertThat(new LockService().describeCommand(LockCommands.show("printer"))).contains("printer");
    }
}
