package io.jlb.http;

import io.jlb.http.internal.BodySource;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A request a handler route answers in the proxy: its head captured, its body collected (up to the route's limit,
 * 413 beyond), the handler called, its reply turned into the exchange's answer with the response policies. One per
 * exchange, reused; loop-confined.
 */
final class HandlerCall {
    private final Exchange ex;
    private Handler handler;
    private Request.Builder request;
    private ByteArrayOutputStream body;
    private long limit;

    HandlerCall(Exchange ex) {
        this.ex = ex;
    }

    void start(Handler h, long maxBodyBytes, InetSocketAddress client) {
        handler = h;
        limit = maxBodyBytes;
        request = Request.builder(ex.head(), client);
        if (ex.head().contentLength() > limit) {
            ex.respond(413, "request body larger than " + limit + " bytes");
            return;
        }
        body = ex.hasBody() ? new ByteArrayOutputStream() : null;
        collect();
    }

    /** Takes the body bytes that arrived; answers once the body is complete. */
    void collect() {
        if (handler == null) {
            return;
        }
        BodySource source = ex.hasBody() ? ex.client().requestBody() : null;
        if (source != null) {
            while (source.ready()) {
                int n = source.to() - source.from();
                byte[] chunk = new byte[n];
                source.buffer().get(source.from(), chunk);
                body.writeBytes(chunk);
                source.consumed(n);
                if (body.size() > limit) {
                    ex.respond(413, "request body larger than " + limit + " bytes");
                    handler = null;
                    return;
                }
            }
            if (source.failed()) {
                ex.respond(ex.client().requestBodyStatus(), ex.client().requestBodyError());
                handler = null;
                return;
            }
            if (!source.complete()) {
                return;
            }
        }
        answer();
    }

    private void answer() {
        Request r = request.body(body == null ? new byte[0] : body.toByteArray()).build();
        Handler h = handler;
        reset();
        Reply reply;
        try {
            reply = h.handle(r);
            if (reply == null) {
                throw new IllegalStateException("handler returned null");
            }
        } catch (Exception e) {
            ex.log().warn("{}: handler for {} failed", ex.context().name, r, e);
            reply = Reply.text(500, "internal error\n");
        }
        List<Map.Entry<String, String>> fields = new ArrayList<>(reply.headers().size());
        for (Map.Entry<String, String> f : reply.headers()) {
            if (!ex.dropsLocal(f.getKey())) { // a response rule replaces or removes it
                fields.add(f);
            }
        }
        ex.handled(new LocalReply(reply.status(), fields, reply.body(), false));
    }

    void reset() {
        handler = null;
        request = null;
        body = null;
    }
}
