package io.paxlog.examples.counter;

import io.paxlog.api.service.ServiceCodec;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Commands and results as one line of UTF-8 text, so that the counter can be driven with curl through any
 * server's generic endpoints ({@code curl --data-binary 'add visits 5' http://HOST/v1/service/command}):
 *
 * <pre>
 * add NAME DELTA   ->  NAME VALUE
 * get NAME         ->  NAME VALUE
 *                      rejected: REASON
 * </pre>
 *
 * A name is 1 to 64 characters from {@code [A-Za-z0-9._-]}; numbers are decimal longs. Anything else is
 * refused by {@link #decodeCommand} with an {@link IllegalArgumentException} that says what is wrong, which
 * the state machine turns into a {@link CounterResult.Rejected} result.
 */
public final class CounterCodec implements ServiceCodec<CounterCommand, CounterResult> {

    public static final CounterCodec INSTANCE = new CounterCodec();

    private static final String NAME = "[A-Za-z0-9._-]{1,64}";
    private static final String NUMBER = "-?[0-9]{1,19}";
    private static final Pattern ADD = Pattern.compile("add (" + NAME + ") (" + NUMBER + ")");
    private static final Pattern GET = Pattern.compile("get (" + NAME + ")");
    private static final Pattern VALUE = Pattern.compile("(" + NAME + ") (" + NUMBER + ")");
    private static final String REJECTED = "rejected: ";

    private CounterCodec() {}

    @Override
    public byte[] encodeCommand(CounterCommand command) {
        // instanceof, not a pattern switch (a preview in Java 17); a new kind fails loudly, never silently.
        if (command instanceof CounterCommand.Add add) {
            return utf8("add " + name(add.name()) + " " + add.delta());
        }
        if (command instanceof CounterCommand.Get get) {
            return utf8("get " + name(get.name()));
        }
        throw new AssertionError("unknown counter command " + command);
    }

    @Override
    public CounterCommand decodeCommand(byte[] payload) {
        String text = text(payload, "command");
        Matcher add = ADD.matcher(text);
        if (add.matches()) {
            return new CounterCommand.Add(add.group(1), number(add.group(2), text));
        }
        Matcher get = GET.matcher(text);
        if (get.matches()) {
            return new CounterCommand.Get(get.group(1));
        }
        throw new IllegalArgumentException("not a counter command: \"" + text + "\" (add NAME DELTA, or get NAME;"
                + " a name is 1 to 64 of [A-Za-z0-9._-])");
    }

    @Override
    public byte[] encodeResult(CounterResult result) {
        if (result instanceof CounterResult.Value value) {
            return utf8(value.name() + " " + value.value());
        }
        if (result instanceof CounterResult.Rejected rejected) {
            return utf8(REJECTED + rejected.reason());
        }
        throw new AssertionError("unknown counter result " + result);
    }

    @Override
    public CounterResult decodeResult(byte[] result) {
        String text = text(result, "result");
        if (text.startsWith(REJECTED)) {
            return new CounterResult.Rejected(text.substring(REJECTED.length()));
        }
        Matcher value = VALUE.matcher(text);
        if (value.matches()) {
            return new CounterResult.Value(value.group(1), number(value.group(2), text));
        }
        throw new IllegalArgumentException("not a counter result: \"" + text + "\"");
    }

    private static String name(String name) {
        if (!name.matches(NAME)) {
            throw new IllegalArgumentException("a counter name is 1 to 64 of [A-Za-z0-9._-], not \"" + name + "\"");
        }
        return name;
    }

    private static long number(String digits, String text) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the number in \"" + text + "\" is not a long", e);
        }
    }

    /** Strict UTF-8: a payload that is not text is refused, never read with replacement characters. */
    private static String text(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("a counter " + what + " is UTF-8 text", e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
