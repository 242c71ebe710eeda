package io.paxlog.chaos.check;

import io.paxlog.chaos.check.RegisterModel.Cas;
import io.paxlog.chaos.check.RegisterModel.CasResult;
import io.paxlog.chaos.check.RegisterModel.Input;
import io.paxlog.chaos.check.RegisterModel.Output;
import io.paxlog.chaos.check.RegisterModel.Read;
import io.paxlog.chaos.check.RegisterModel.ReadValue;
import io.paxlog.chaos.check.RegisterModel.Write;
import io.paxlog.chaos.check.RegisterModel.Written;
import java.util.ArrayList;
import java.util.List;

/** Hand-made register histories, written as one line per operation. */
final class RegisterHistories {

    private final List<Operation<Input, Output>> ops = new ArrayList<>();
    private final String key;

    RegisterHistories(String key) {
        this.key = key;
    }

    RegisterHistories write(int client, String value, long invoke, long complete) {
        ops.add(Operation.ok(ops.size(), client, key, new Write(value), new Written(), invoke, complete));
        return this;
    }

    RegisterHistories read(int client, String seen, long invoke, long complete) {
        ops.add(Operation.ok(ops.size(), client, key, new Read(), new ReadValue(seen), invoke, complete));
        return this;
    }

    RegisterHistories cas(int client, String expected, String value, boolean swapped, long invoke, long complete) {
        ops.add(Operation.ok(ops.size(), client, key, new Cas(expected, value), new CasResult(swapped), invoke,
                complete));
        return this;
    }

    RegisterHistories writeUnknown(int client, String value, long invoke, long gaveUp) {
        ops.add(Operation.unknown(ops.size(), client, key, new Write(value), invoke, gaveUp));
        return this;
    }

    RegisterHistories writeFailed(int client, String value, long invoke, long complete) {
        ops.add(Operation.failed(ops.size(), client, key, new Write(value), invoke, complete));
        return this;
    }

    List<Operation<Input, Output>> ops() {
        return List.copyOf(ops);
    }
}
