package io.jlb.benchmarks;

import io.jlb.http.internal.Forwarding;
import io.jlb.http.internal.HeadParser;
import io.jlb.http.internal.HeadWriter;
import io.jlb.http.internal.PathNormalizer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The L7 proxy's per-request head work: parsing a request head, and parsing plus writing the head it forwards
 * (hop-by-hop fields dropped, X-Forwarded-For/-Proto/-Host, Forwarded and Via added). Three requests: what a
 * browser sends, a small API call, and one with 40 header fields. Run with {@code -prof gc} for bytes per request.
 *
 * <pre>java -jar lb-benchmarks/target/benchmarks.jar HttpHeadBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class HttpHeadBenchmark {
    static final String BROWSER = "GET /products/42?ref=home&utm_source=newsletter HTTP/1.1\r\n"
            + "Host: shop.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
            + "Accept-Language: en-GB,en;q=0.9,de;q=0.8\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Referer: https://shop.example.com/\r\n"
            + "Cookie: session=7f3a9c2b1e0d4f5a8b6c; theme=dark; consent=yes\r\n"
            + "Upgrade-Insecure-Requests: 1\r\n"
            + "Sec-Fetch-Dest: document\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Site: same-origin\r\n"
            + "Connection: keep-alive\r\n\r\n";
    static final String API = "POST /api/v1/orders HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\n"
            + "Content-Length: 128\r\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig\r\n\r\n";
    static final String HEADERS_40;

    static {
        StringBuilder sb = new StringBuilder("GET /search?q=load+balancer HTTP/1.1\r\nHost: www.example.com\r\n");
        for (int i = 0; i < 39; i++) {
            sb.append("X-Custom-Header-").append(i).append(": value-").append(i).append("-abcdefghijklmnop\r\n");
        }
        HEADERS_40 = sb.append("\r\n").toString();
    }

    @Param({"browser", "api", "headers40"})
    public String request;

    private ByteBuffer in;
    private ByteBuffer out;
    private int end;
    private HeadParser parser;
    private HeadWriter.Options forwarding;
    private Forwarding forwarded;
    private PathNormalizer normalizer;

    @Setup
    public void setUp() {
        String text = switch (request) {
            case "browser" -> BROWSER;
            case "api" -> API;
            default -> HEADERS_40;
        };
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        in = ByteBuffer.allocateDirect(64 * 1024);
        in.put(bytes);
        end = in.position();
        out = ByteBuffer.allocateDirect(64 * 1024);
        parser = new HeadParser(true, 8192, 32768, 100);
        forwarding = HeadWriter.Options.of(true, true, true, true, true, "jlb", true);
        forwarded = new Forwarding();
        forwarded.peerIp = "203.0.113.7";
        forwarded.clientIp = "203.0.113.7";
        forwarded.proto = "http";
        forwarded.defaultHost = "127.0.0.1:8080";
        normalizer = new PathNormalizer(true, PathNormalizer.REJECT, PathNormalizer.REJECT);
    }

    @Benchmark
    public int parse() {
        parser.begin(in, 0);
        if (parser.parse(end) != HeadParser.Result.COMPLETE) {
            throw new IllegalStateException(parser.errorReason());
        }
        return parser.head().headerCount();
    }

    @Benchmark
    public int parseAndRewrite() {
        parser.begin(in, 0);
        if (parser.parse(end) != HeadParser.Result.COMPLETE) {
            throw new IllegalStateException(parser.errorReason());
        }
        if (!parser.head().normalizePath(normalizer)) {
            throw new IllegalStateException(normalizer.error());
        }
        out.clear();
        HeadWriter.request(parser.head(), out, forwarding, forwarded, HeadWriter.Drop.NONE, HeadWriter.Extra.NONE);
        return out.position();
    }
}
