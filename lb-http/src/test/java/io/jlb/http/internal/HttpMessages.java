package io.jlb.http.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generated valid HTTP/1.1 requests, with their expected parse, for properties. */
final class HttpMessages {
    private HttpMessages() {}

    record Field(String name, String value) {}

    record Request(String method, String target, List<Field> fields, byte[] body, List<Integer> chunks,
            boolean chunked) {
        /** The bytes on the wire. */
        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            write(out, method + " " + target + " HTTP/1.1\r\nHost: example.test\r\n");
            for (Field f : fields) {
                write(out, f.name + ": " + f.value + "\r\n");
            }
            if (chunked) {
                write(out, "Transfer-Encoding: chunked\r\n\r\n");
                int off = 0;
                for (int size : chunks) {
                    int n = Math.min(size, body.length - off);
                    if (n <= 0) {
                        break;
                    }
                    write(out, Integer.toHexString(n) + (off % 2 == 0 ? "" : ";ext=v") + "\r\n");
                    out.write(body, off, n);
                    write(out, "\r\n");
                    off += n;
                }
                if (off < body.length) {
                    write(out, Integer.toHexString(body.length - off) + "\r\n");
                    out.write(body, off, body.length - off);
                    write(out, "\r\n");
                }
                write(out, "0\r\nX-Trailer: t\r\n\r\n");
            } else {
                write(out, "Content-Length: " + body.length + "\r\n\r\n");
                out.write(body, 0, body.length);
            }
            return out.toByteArray();
        }

        private static void write(ByteArrayOutputStream out, String s) {
            out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    static Arbitrary<Request> requests() {
        Arbitrary<String> method = Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PURGE");
        Arbitrary<String> segment = Arbitraries.strings().withChars("abcxyz0123456789-._~%").ofMinLength(0).ofMaxLength(12);
        Arbitrary<String> target = segment.list().ofMinSize(1).ofMaxSize(5).map(l -> "/" + String.join("/", l))
                .flatMap(p -> Arbitraries.of("", "?a=1", "?q=x&y=%20z").map(q -> p + q));
        Arbitrary<Field> field = Combinators.combine(
                Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzABCXYZ-_").ofMinLength(1).ofMaxLength(20)
                        .filter(n -> !reserved(n)),
                Arbitraries.strings().withCharRange((char) 0x21, (char) 0x7e).withChars(' ').ofMaxLength(40).map(String::trim))
                .as(Field::new);
        Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(3000);
        Arbitrary<List<Integer>> chunks = Arbitraries.integers().between(1, 900).list().ofMaxSize(8);
        return Combinators.combine(method, target, field.list().ofMaxSize(12), body, chunks, Arbitraries.of(true, false))
                .as(Request::new);
    }

    private static boolean reserved(String name) {
        String n = name.toLowerCase();
        return List.of("host", "content-length", "transfer-encoding", "connection", "expect", "upgrade", "te",
                "trailer", "keep-alive", "proxy-connection").contains(n);
    }

    /** Splits {@code length} bytes into pieces at the given (sorted, distinct) cut points. */
    static List<int[]> pieces(int length, List<Integer> cuts) {
        List<Integer> points = new ArrayList<>();
        for (int c : cuts) {
            if (c > 0 && c < length && !points.contains(c)) {
                points.add(c);
            }
        }
        points.sort(Integer::compare);
        List<int[]> out = new ArrayList<>();
        int from = 0;
        for (int p : points) {
            out.add(new int[] {from, p});
            from = p;
        }
        out.add(new int[] {from, length});
        return out;
    }
}
