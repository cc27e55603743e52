package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import io.jlb.http.internal.h2.Frames;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Flow control toward the client, as a property over real connections: whatever windows the client grants, in
 * whatever order, and however it shrinks its initial window midway, the proxy never sends a stream or the
 * connection more DATA than its window allows, and every response arrives whole once the client grants enough.
 */
class Http2FlowControlIT {
    static final int SIZE = 300_000;
    static RawHttpBackend app;
    static LoadBalancer lb;
    static HttpProxy proxy;

    @BeforeContainer
    static void start() throws Exception {
        byte[] body = new byte[SIZE];
        app = new RawHttpBackend("app", (req, socket, out) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + SIZE + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return true;
        });
        lb = LoadBalancer.builder().pool("app", p -> p.backend(app.hostPort())).build();
        proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1).pool("app").build().start();
    }

    @AfterContainer
    static void stop() throws Exception {
        proxy.close();
        lb.close();
        app.close();
    }

    /** One step of the client's: kind 0 and 1 grant a stream, 2 the connection, 3 sets a new initial window. */
    @Property(tries = 12)
    void neverBeyondTheWindows(@ForAll @IntRange(max = 70_000) int initialWindow,
            @ForAll @Size(max = 30) List<@IntRange(max = 4 * 100_000 - 1) Integer> steps) throws Exception {
        try (H2TestClient c = new H2TestClient(proxy.address().getPort(), false)) {
            c.socket().getOutputStream().write(Frames.PREFACE);
            c.settings(Frames.SETTINGS_INITIAL_WINDOW_SIZE, initialWindow);
            long[] window = {0, initialWindow, 0, initialWindow}; // by stream id: 1 and 3
            long[] received = new long[4];
            boolean[] ended = new boolean[4];
            long connection = Frames.DEFAULT_WINDOW;
            long pendingInitial = -1; // a SETTINGS sent and not yet acknowledged
            long initial = initialWindow;
            c.get(1, "/a");
            c.get(3, "/b");
            int next = 0;
            boolean settingsAcked = false;
            while (!ended[1] || !ended[3]) {
                boolean stalled = settingsAcked && pendingInitial < 0
                        && (connection <= 0 || (ended[1] || window[1] <= 0) && (ended[3] || window[3] <= 0));
                if (stalled) {
                    if (next < steps.size()) {
                        int step = steps.get(next++);
                        int kind = step % 4;
                        int amount = step / 4 + 1;
                        if (kind < 2) {
                            int id = kind == 0 ? 1 : 3;
                            if (!ended[id]) {
                                c.windowUpdate(id, amount);
                                window[id] += amount;
                            }
                        } else if (kind == 2) {
                            c.windowUpdate(0, amount);
                            connection += amount;
                        } else {
                            pendingInitial = amount % 70_000;
                            c.settings(Frames.SETTINGS_INITIAL_WINDOW_SIZE, (int) pendingInitial);
                        }
                    } else {
                        c.windowUpdate(0, 1 << 24);
                        connection += 1 << 24;
                        for (int id : new int[] {1, 3}) {
                            if (!ended[id]) {
                                c.windowUpdate(id, 1 << 24);
                                window[id] += 1 << 24;
                            }
                        }
                    }
                    continue;
                }
                H2TestClient.Frame f = c.read();
                assertNotNull(f, "the connection stayed open");
                if (f.type() == Frames.SETTINGS && f.has(Frames.ACK)) {
                    settingsAcked = true;
                    if (pendingInitial >= 0) { // the proxy applied it before acknowledging: DATA after obeys it
                        window[1] += pendingInitial - initial;
                        window[3] += pendingInitial - initial;
                        initial = pendingInitial;
                        pendingInitial = -1;
                    }
                } else if (f.type() == Frames.DATA) {
                    int n = f.payload().length;
                    int id = f.stream();
                    assertTrue(n <= window[id], "stream " + id + ": " + n + " bytes sent into a window of " + window[id]);
                    assertTrue(n <= connection, n + " bytes sent into a connection window of " + connection);
                    window[id] -= n;
                    connection -= n;
                    received[id] += n;
                    ended[id] = f.has(Frames.END_STREAM);
                } else if (f.type() == Frames.RST_STREAM || f.type() == Frames.GOAWAY) {
                    throw new AssertionError("unexpected " + f);
                } else if (f.type() == Frames.HEADERS && f.has(Frames.END_STREAM)) {
                    ended[f.stream()] = true;
                }
            }
            assertEquals(SIZE, received[1]);
            assertEquals(SIZE, received[3]);
        }
    }
}
