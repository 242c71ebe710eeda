package io.paxlog.chaos.run;

/** A client thread of a workload: runs operations, recording each, until stopped. */
interface Worker extends Runnable, AutoCloseable {

    /** The client's number: its row in the timeline. */
    int client();

    /** Ends the loop after the operation under way. */
    void stop();

    /** Releases the client's connections; after {@link #run} returned. */
    @Override
    void close();
}
