package io.paxlog.cli;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.IncompatibleThreadStateException;
import com.sun.jdi.StackFrame;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.AttachingConnector;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.connect.IllegalConnectorArgumentsException;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Stalls one server's loop thread ({@code paxlog-loop-<id>}) through the debugger interface, while the
 * rest of the process keeps running: its client listener takes calls and queues them for the loop, its
 * HTTP API answers, its peers' messages arrive. That is a server whose loop is overloaded or stuck, made
 * exact: a call that gets into the loop's queue waits there, and once the queue is full every further
 * call is answered BUSY at once. SIGSTOP cannot do this: it stops every thread.
 *
 * <p>The thread is suspended only where it waits for work (parked until its next tick), never inside
 * the inbox's queues or the logger, whose locks the network threads need: suspended holding one of
 * them, the listener would hang instead of answering.
 *
 * <p>Threads: the test's only. {@link #close} resumes the thread and detaches.
 */
final class LoopPause implements AutoCloseable {

    private static final int ATTEMPTS = 200;

    private final VirtualMachine vm;
    private final ThreadReference loop;

    private LoopPause(VirtualMachine vm, ThreadReference loop) {
        this.vm = vm;
        this.loop = loop;
    }

    /** Attaches to server {@code id}'s debugger port and suspends its loop thread where it is idle. */
    static LoopPause pause(ProcessCluster cluster, int id) throws IOException, InterruptedException {
        AttachingConnector socket = Bootstrap.virtualMachineManager().attachingConnectors().stream()
                .filter(c -> c.name().equals("com.sun.jdi.SocketAttach")).findFirst()
                .orElseThrow(() -> new AssertionError("this JDK has no socket-attaching debugger connector"));
        Map<String, Connector.Argument> arguments = socket.defaultArguments();
        arguments.get("hostname").setValue("127.0.0.1");
        arguments.get("port").setValue(Integer.toString(cluster.debugPort(id)));
        VirtualMachine vm;
        try {
            vm = socket.attach(arguments);
        } catch (IllegalConnectorArgumentsException e) {
            throw new AssertionError("bad debugger arguments", e);
        }
        String name = "paxlog-loop-" + id;
        ThreadReference loop = vm.allThreads().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("server " + id + " has no thread " + name));
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            loop.suspend();
            if (idle(loop)) {
                return new LoopPause(vm, loop);
            }
            loop.resume();
            Thread.sleep(1); // let it reach its wait again
        }
        vm.dispose();
        throw new AssertionError("server " + id + "'s loop was never found idle in " + ATTEMPTS + " tries");
    }

    /** Whether the suspended thread is parked in the loop's own wait, holding none of the shared locks. */
    private static boolean idle(ThreadReference thread) {
        try {
            List<StackFrame> frames = thread.frames();
            boolean parked = frames.size() > 2
                    && frames.get(0).location().method().name().equals("park")
                    && frames.get(1).location().declaringType().name().equals("java.util.concurrent.locks.LockSupport")
                    && frames.get(2).location().declaringType().name().startsWith("io.paxlog.server.ServerLoop");
            return parked;
        } catch (IncompatibleThreadStateException e) {
            return false;
        }
    }

    /** Resumes the loop thread and detaches the debugger. */
    @Override
    public void close() {
        try {
            loop.resume();
            vm.dispose();
        } catch (com.sun.jdi.VMDisconnectedException gone) {
            // the server was killed meanwhile: nothing to resume
        }
    }
}
