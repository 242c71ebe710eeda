package io.paxlog.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code paxlog} command. */
@Command(name = "paxlog", mixinStandardHelpOptions = true, version = "paxlog 0.1.0",
        description = "Multi-Paxos replicated state machines: servers, clients and tools.",
        subcommands = {ServerCommand.class, DemoCommand.class, KvCli.class, LockCli.class, StatusCli.class,
            JournalCommand.class, SimCommand.class, WalCommand.class, ChaosCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
