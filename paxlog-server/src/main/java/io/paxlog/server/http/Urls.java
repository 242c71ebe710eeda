package io.paxlog.server.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Percent-decoding to bytes (keys are bytes, not text) and the query string of a request target. Public
 * for {@link ServiceRoutes}, whose paths arrive still encoded.
 */
public final class Urls {

    private Urls() {}

    /**
     * {@code %XX} to the byte XX, every other character as its UTF-8 bytes; {@code +} stays {@code +} in
     * a path and means a space in a query.
     *
     * @throws IllegalArgumentException on a {@code %} not followed by two hex digits
     */
    public static byte[] decode(String text, boolean query) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length()) {
                    throw new IllegalArgumentException("a '%' must be followed by two hex digits");
                }
                int high = Character.digit(text.charAt(i + 1), 16);
                int low = Character.digit(text.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new IllegalArgumentException("a '%' must be followed by two hex digits, not '"
                            + text.substring(i, i + 3) + "'");
                }
                out.write(high << 4 | low);
                i += 2;
            } else if (c == '+' && query) {
                out.write(' ');
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toByteArray();
    }

    /** The query parameters of a request target (the first of a repeated name wins), raw bytes each. */
    static Map<String, byte[]> query(String uri) {
        Map<String, byte[]> parameters = new LinkedHashMap<>();
        int question = uri.indexOf('?');
        if (question < 0) {
            return parameters;
        }
        for (String pair : uri.substring(question + 1).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = new String(decode(equals < 0 ? pair : pair.substring(0, equals), true), StandardCharsets.UTF_8);
            byte[] value = equals < 0 ? new byte[0] : decode(pair.substring(equals + 1), true);
            parameters.putIfAbsent(name, value);
        }
        return parameters;
    }

    /** The path of a request target, still encoded. */
    static String path(String uri) {
        int question = uri.indexOf('?');
        return question < 0 ? uri : uri.substring(0, question);
    }

    /** The bytes as a string if they are well-formed UTF-8, else null. */
    public static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Percent-encodes every byte but the unreserved ones (RFC 3986), for a path segment or a query value. */
    public static String encode(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    public static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
