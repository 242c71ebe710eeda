package io.paxlog.lock;

import io.paxlog.api.codec.Binary;
import io.paxlog.lock.LockResult.Code;

/**
 * The binary form of lock commands (the payload of a log entry) and of their results. The machine
 * decodes commands and encodes results; a client, the HTTP layer, the CLI or the leader's expiry
 * scheduler does the opposite.
 *
 * <p>Both start with a format byte, so that a later format can be told apart; this is format 1.
 * Big-endian; {@code string} is {@code length:int} followed by that many bytes of well-formed UTF-8.
 *
 * <pre>
 * command:  format:byte=1 op:byte ...
 *   acquire   0x01 name:string owner:string ttlMs:long
 *   release   0x02 name:string owner:string
 *   expire    0x03 name:string token:long renewedSlot:long
 *   show      0x04 name:string
 *
 * result:   format:byte=1 kind:byte ...
 *   granted   0x01 token:long ttlMs:long renewed:byte(0|1)
 *   held      0x02 name:string holder:string token:long ttlMs:long renewedSlot:long
 *   free      0x03
 *   released  0x04 token:long
 *   expired   0x05 holder:string token:long
 *   rejected  0x06 code:byte message:string
 *   held+ttl  0x07 name:string holder:string token:long ttlMs:long renewedSlot:long remainingMs:long
 * </pre>
 *
 * A held result with a known remaining ttl ({@link LockResult.Held#knowsRemaining()}: only a show read
 * answered by a leader) is kind 0x07; without one it stays 0x02, so the replicated results are unchanged.
 *
 * Decoding checks everything, including that nothing follows the last field, and reports any problem as
 * an {@link IllegalArgumentException} saying what and where. The format is self-delimiting, so a
 * truncated command never decodes as another command.
 */
public final class LockCommands {

    public static final int FORMAT = 1;

    static final int ACQUIRE = 0x01;
    static final int RELEASE = 0x02;
    static final int EXPIRE = 0x03;
    static final int SHOW = 0x04;

    static final int GRANTED = 0x01;
    static final int HELD = 0x02;
    static final int FREE = 0x03;
    static final int RELEASED = 0x04;
    static final int EXPIRED = 0x05;
    static final int REJECTED = 0x06;
    static final int HELD_REMAINING = 0x07;

    private LockCommands() {}

    // ---- Commands ----

    public static byte[] acquire(String name, String owner, long ttlMs) {
        return encode(new LockCommand.Acquire(name, owner, ttlMs));
    }

    public static byte[] release(String name, String owner) {
        return encode(new LockCommand.Release(name, owner));
    }

    public static byte[] expire(String name, long token, long renewedSlot) {
        return encode(new LockCommand.Expire(name, token, renewedSlot));
    }

    /** An expire of exactly this lease, as the leader's expiry scheduler proposes it. */
    public static byte[] expire(Lease lease) {
        return expire(lease.name(), lease.token(), lease.renewedSlot());
    }

    public static byte[] show(String name) {
        return encode(new LockCommand.Show(name));
    }

    /** @throws IllegalArgumentException if a string in it is not well-formed (an unpaired surrogate) */
    public static byte[] encode(LockCommand command) {
        Binary.Writer out = new Binary.Writer(64).putByte(FORMAT);
        if (command instanceof LockCommand.Acquire acquire) {
            out.putByte(ACQUIRE).putString(acquire.name()).putString(acquire.owner()).putLong(acquire.ttlMs());
        } else if (command instanceof LockCommand.Release release) {
            out.putByte(RELEASE).putString(release.name()).putString(release.owner());
        } else if (command instanceof LockCommand.Expire expire) {
            out.putByte(EXPIRE).putString(expire.name()).putLong(expire.token()).putLong(expire.renewedSlot());
        } else if (command instanceof LockCommand.Show show) {
            out.putByte(SHOW).putString(show.name());
        } else {
            throw new AssertionError("unknown lock command " + command);
        }
        return out.finish();
    }

    /** @throws IllegalArgumentException if {@code payload} is not a command of this format */
    public static LockCommand decodeCommand(byte[] payload) {
        if (payload.length == 0) {
            throw new IllegalArgumentException("lock command is empty");
        }
        Binary.Reader in = new Binary.Reader(payload, "lock command");
        int format = in.getByte();
        if (format != FORMAT) {
            throw new IllegalArgumentException("lock command format " + format + " is not " + FORMAT);
        }
        int op = in.getByte();
        LockCommand command = switch (op) {
            case ACQUIRE -> new LockCommand.Acquire(in.getString(), in.getString(), in.getLong());
            case RELEASE -> new LockCommand.Release(in.getString(), in.getString());
            case EXPIRE -> new LockCommand.Expire(in.getString(), in.getLong(), in.getLong());
            case SHOW -> new LockCommand.Show(in.getString());
            default -> throw new IllegalArgumentException("lock command has unknown operation " + op);
        };
        in.expectEnd();
        return command;
    }

    // ---- Results ----

    public static byte[] encodeResult(LockResult result) {
        Binary.Writer out = new Binary.Writer(32).putByte(FORMAT);
        if (result instanceof LockResult.Granted granted) {
            out.putByte(GRANTED).putLong(granted.token()).putLong(granted.ttlMs()).putByte(granted.renewed() ? 1 : 0);
        } else if (result instanceof LockResult.Held held) {
            Lease lease = held.lease();
            out.putByte(held.knowsRemaining() ? HELD_REMAINING : HELD).putString(lease.name())
                    .putString(lease.holder()).putLong(lease.token()).putLong(lease.ttlMs()).putLong(lease.renewedSlot());
            if (held.knowsRemaining()) {
                out.putLong(held.remainingMs());
            }
        } else if (result instanceof LockResult.Free) {
            out.putByte(FREE);
        } else if (result instanceof LockResult.Released released) {
            out.putByte(RELEASED).putLong(released.token());
        } else if (result instanceof LockResult.Expired expired) {
            out.putByte(EXPIRED).putString(expired.holder()).putLong(expired.token());
        } else if (result instanceof LockResult.Rejected rejected) {
            out.putByte(REJECTED).putByte(rejected.code().wire).putString(rejected.message());
        } else {
            throw new AssertionError("unknown lock result " + result);
        }
        return out.finish();
    }

    /** @throws IllegalArgumentException if {@code bytes} are not a result of this format */
    public static LockResult decodeResult(byte[] bytes) {
        Binary.Reader in = new Binary.Reader(bytes, "lock result");
        int format = in.getByte();
        if (format != FORMAT) {
            throw new IllegalArgumentException("lock result format " + format + " is not " + FORMAT);
        }
        int kind = in.getByte();
        LockResult result = switch (kind) {
            case GRANTED -> {
                long token = in.getLong();
                long ttlMs = in.getLong();
                int renewed = in.getByte();
                if (renewed > 1) {
                    throw new IllegalArgumentException("lock result has a 'renewed' flag of " + renewed);
                }
                yield new LockResult.Granted(token, ttlMs, renewed == 1);
            }
            case HELD -> new LockResult.Held(new Lease(in.getString(), in.getString(), in.getLong(), in.getLong(),
                    in.getLong()));
            case HELD_REMAINING -> {
                Lease lease = new Lease(in.getString(), in.getString(), in.getLong(), in.getLong(), in.getLong());
                long remainingMs = in.getLong();
                if (remainingMs < 0) {
                    throw new IllegalArgumentException("lock result has remaining ttl " + remainingMs + " ms");
                }
                yield new LockResult.Held(lease, remainingMs);
            }
            case FREE -> new LockResult.Free();
            case RELEASED -> new LockResult.Released(in.getLong());
            case EXPIRED -> new LockResult.Expired(in.getString(), in.getLong());
            case REJECTED -> new LockResult.Rejected(Code.fromWire(in.getByte()), in.getString());
            default -> throw new IllegalArgumentException("lock result has unknown kind " + kind);
        };
        in.expectEnd();
        return result;
    }
}
