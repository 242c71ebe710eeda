package io.paxlog.examples.counter;

import io.paxlog.api.StateMachine;
import io.paxlog.api.service.Service;
import io.paxlog.api.service.ServiceCodec;

/**
 * {@code service: counter}. Listed in {@code META-INF/services/io.paxlog.api.service.Service}, so that
 * {@code paxlog server} finds it by this name when its jar is on the class path.
 */
public final class CounterService implements Service<CounterCommand, CounterResult> {

    @Override
    public String name() {
        return "counter";
    }

    @Override
    public StateMachine newStateMachine() {
        return new CounterMachine();
    }

    @Override
    public ServiceCodec<CounterCommand, CounterResult> codec() {
        return CounterCodec.INSTANCE;
    }
}
