package io.paxlog.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.StateMachine;
import io.paxlog.api.service.LeaderDuties;
import io.paxlog.api.service.Service;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.ServiceLoader;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The journal as a service: found by name on the class path, and a codec that reads the machine's bytes. */
class JournalServiceTest {

    private final JournalCodec codec = JournalCodec.INSTANCE;

    @Test
    void theServiceLoaderFindsTheJournalByItsName() {
        List<Service<?, ?>> found = ServiceLoader.load(Service.class).stream()
                .<Service<?, ?>>map(ServiceLoader.Provider::get)
                .filter(service -> service.name().equals("journal")).toList();
        assertThat(found).hasSize(1);
        assertThat(found.get(0)).isInstanceOf(JournalService.class);
        StateMachine machine = found.get(0).newStateMachine();
        assertThat(machine).isInstanceOf(JournalMachine.class).isNotSameAs(found.get(0).newStateMachine());
        assertThat(found.get(0).newLeaderDuties(machine)).isSameAs(LeaderDuties.NONE);
    }

    @Test
    void commandsRoundTripInTheMachinesOwnFormat() {
        byte[] append = JournalMachine.appendCommand(bytes("hello"));
        assertThat(codec.decodeCommand(append)).isEqualTo(new JournalCommand.Append(bytes("hello")));
        assertThat(codec.encodeCommand(new JournalCommand.Append(bytes("hello")))).isEqualTo(append);
        assertThat(codec.decodeCommand(JournalMachine.readCommand(7, 3))).isEqualTo(new JournalCommand.Read(7, 3));
        assertThat(codec.encodeCommand(new JournalCommand.Read(7, 3))).isEqualTo(JournalMachine.readCommand(7, 3));

        assertThatThrownBy(() -> codec.decodeCommand(new byte[0])).hasMessageContaining("empty");
        assertThatThrownBy(() -> codec.decodeCommand(new byte[] {9})).hasMessageContaining("unknown operation 9");
        assertThatThrownBy(() -> codec.decodeCommand(new byte[] {JournalMachine.READ, 1}))
                .hasMessageContaining("13 bytes, was 2");
    }

    @Test
    void everyResultTheMachineGivesIsReadAndWrittenBackTheSame() {
        JournalMachine journal = new JournalMachine(8);
        byte[] appended = journal.apply(1, JournalMachine.appendCommand(bytes("one")));
        byte[] page = journal.apply(2, JournalMachine.readCommand(1, 10));
        byte[] empty = journal.apply(3, JournalMachine.readCommand(5, 10));
        byte[] full = journal.apply(4, JournalMachine.appendCommand(bytes("too long")));
        byte[] malformed = journal.apply(5, new byte[] {9});

        assertThat(codec.decodeResult(appended)).isEqualTo(new JournalMachine.Appended(1, 1));
        JournalMachine.Page read = (JournalMachine.Page) codec.decodeResult(page);
        assertThat(read.size()).isEqualTo(1);
        assertThat(read.entries()).extracting(JournalMachine.Entry::slot).containsExactly(1L);
        assertThat(codec.decodeResult(empty)).isEqualTo(new JournalMachine.Page(1, List.of()));
        assertThat(codec.decodeResult(full)).isInstanceOfSatisfying(JournalResult.Refused.class,
                refused -> assertThat(refused.reason()).isEqualTo(JournalResult.Reason.FULL));
        assertThat(codec.decodeResult(malformed)).isInstanceOfSatisfying(JournalResult.Refused.class,
                refused -> assertThat(refused.reason()).isEqualTo(JournalResult.Reason.MALFORMED));
        for (byte[] result : List.of(appended, page, empty, full, malformed)) {
            assertThat(codec.encodeResult(codec.decodeResult(result))).isEqualTo(result);
        }
        assertThatThrownBy(() -> codec.decodeResult(new byte[] {7})).hasMessageContaining("unknown status 7");
    }

    @Property(tries = 100)
    void pagesOfAnyEntriesAreNeverMistakenForAnAppend(@ForAll @Size(max = 5) List<@Size(max = 8) byte[]> appends) {
        JournalMachine journal = new JournalMachine();
        long slot = 0;
        for (byte[] data : appends) {
            journal.apply(++slot, JournalMachine.appendCommand(data));
        }
        byte[] page = journal.apply(++slot, JournalMachine.readCommand(1, 100));
        assertThat(codec.decodeResult(page)).isInstanceOf(JournalMachine.Page.class);
        assertThat(codec.encodeResult(codec.decodeResult(page))).isEqualTo(page);
    }

    @Test
    void describesCommandsAndResultsForPeople() {
        JournalService service = new JournalService();
        assertThat(service.describeCommand(JournalMachine.readCommand(2, 5))).isEqualTo("Read[fromIndex=2, entriesMax=5]");
        assertThat(service.describeCommand(new byte[] {9})).isEqualTo("1 B (not a journal command)");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
