package io.paxlog.api.service;

/**
 * The binary form of a service's commands (and read-only queries) and results. Encoding is what a
 * client does; the state machine decodes commands and encodes results. Decoding checks its input and
 * throws {@link IllegalArgumentException} saying what is wrong: a payload from a buggy or hostile client
 * must never be mistaken for another command.
 *
 * @param <C> commands and queries
 * @param <R> results
 */
public interface ServiceCodec<C, R> {

    byte[] encodeCommand(C command);

    C decodeCommand(byte[] payload);

    byte[] encodeResult(R result);

    R decodeResult(byte[] result);
}
