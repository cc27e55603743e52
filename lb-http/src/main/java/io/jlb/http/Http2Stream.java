package io.jlb.http;

import io.jlb.http.internal.BodyDecoder;
import io.jlb.http.internal.BodySource;
import io.jlb.http.internal.FramedBody;
import io.jlb.http.internal.HeadParser;
import io.jlb.http.internal.HeadWriter;
import io.jlb.http.internal.HttpHead;
import io.jlb.http.internal.h2.Frames;
import io.jlb.nio.internal.EventLoop;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/2 stream as the client side of one {@link Exchange}: its request fields become the HTTP/1.1 head the
 * exchange works on; its DATA frames are copied into a buffer of its own (never more than the window it granted, so
 * a stream whose upstream is slow holds only that much, and other streams go on) and offered in place as the request
 * body, window credit going back as the upstream takes it; the response becomes HEADERS, DATA within the peer's
 * windows, and trailers. Reused by its connection from stream to stream. Loop-confined.
 */
final class Http2Stream implements ClientSide, BodySource, Http2Tunnel.Stream {
    private final Http2Connection conn;
    private final Exchange exchange;
    private final HeadParser parser;
    private final FramedBody framed = new FramedBody();
    private final List<String[]> fields = new ArrayList<>();

    int id;
    /** Whether it is in the connection's queue of streams with response data to send. */
    boolean sending;
    /** Bytes the peer lets this stream send (may go negative when the peer shrinks its initial window). */
    long sendWindow;

    private ByteBuffer head;
    private boolean hasBody;
    private ByteBuffer body;
    private int readPos;
    private int writePos;
    private long received;
    private long declaredLength;
    private boolean remoteEnded;
    private boolean held;
    private int unacked;
    private int bodyStatus;
    private String bodyError;

    private boolean headSent;
    /** Response body bytes sent. */
    private long sent;
    private boolean localEnded;
    private boolean closed;
    private BodySource responseBody;
    private GzippedBody gzipped;
    private ByteBuffer localBody;
    /** The Sec-WebSocket-Key sent to the backend for an extended CONNECT (RFC 8441), or null. */
    private String websocketKey;
    private Http2Tunnel tunnel;
    private final Http2Tunnel.Frames frames;

    Http2Stream(Http2Connection conn, ListenerContext ctx) {
        this.conn = conn;
        HttpLimits limits = ctx.limits;
        this.parser = new HeadParser(true, limits.maxRequestLineBytes(), limits.maxHeadBytes(), limits.maxHeaders());
        this.exchange = new Exchange(ctx, this);
        this.frames = (n, end) -> conn.dataFrame(this, n, end);
    }

    /** Starts stream {@code streamId}: the peer's initial window for sending. */
    void open(int streamId, int initialSendWindow) {
        id = streamId;
        sendWindow = initialSendWindow;
        sending = false;
        hasBody = false;
        readPos = writePos = 0;
        received = 0;
        declaredLength = -1;
        remoteEnded = false;
        held = false;
        unacked = 0;
        bodyStatus = 0;
        bodyError = null;
        headSent = false;
        localEnded = false;
        closed = false;
        responseBody = null;
        localBody = null;
        sent = 0;
        websocketKey = null;
        tunnel = null;
        framed.reset();
    }

    /** Whether the exchange is over and the stream can be reused. */
    boolean closed() {
        return closed;
    }

    /** Whether the response has begun (a reset before then is an early one). */
    boolean responseBegan() {
        return headSent;
    }

    // ======================================================================== the request

    /** The request's fields arrived ({@code request} checked them); {@code endStream} when no body follows. */
    void request(Http2Request request, boolean endStream) {
        hasBody = !endStream;
        remoteEnded = endStream;
        String malformed = request.check(endStream);
        if (malformed != null) {
            conn.malformed(this, malformed);
            return;
        }
        exchange.context().stats.requests.increment();
        declaredLength = request.contentLength();
        websocketKey = request.protocol() != null ? Upgrades.newWebSocketKey() : null;
        hasBody &= websocketKey == null; // a WebSocket's DATA flows once the backend has switched protocols
        head = conn.buffers().take();
        try {
            request.writeHead(head, hasBody && declaredLength < 0, websocketKey);
        } catch (java.nio.BufferOverflowException e) {
            head.clear();
            exchange.reject(431, "request head too large once written as HTTP/1.1", conn.client().peerIp());
            return;
        }
        parser.begin(head, 0);
        HeadParser.Result r = parser.parse(head.position());
        if (r != HeadParser.Result.COMPLETE) {
            exchange.reject(r == HeadParser.Result.ERROR ? parser.errorStatus() : 431,
                    r == HeadParser.Result.ERROR ? parser.errorReason() : "request head too large", conn.client().peerIp());
            return;
        }
        HttpHead h = parser.head();
        Http1Connection client = conn.client();
        String clientIp = client.clientIp(h);
        exchange.begin(h, client.peerAddress(), clientIp, client.pick(clientIp), client.trustedPeer(), hasBody);
    }

    /** The request's header list decoded beyond the limit: answered 431 without a look at it. */
    void tooLarge() {
        hasBody = false;
        remoteEnded = true;
        exchange.reject(431, "request header list too large", conn.client().peerIp());
    }

    /**
     * A DATA frame's payload: {@code length} bytes of {@code in} from {@code from}; false when the stream has no room
     * for them (the peer sent beyond the window it was given).
     */
    boolean data(ByteBuffer in, int from, int length, boolean endStream) {
        if (remoteEnded) {
            return true; // the connection answers STREAM_CLOSED
        }
        boolean websocket = websocketKey != null;
        if (length > 0) {
            if (body == null) {
                body = conn.buffers().take();
            }
            if (!held && readPos == writePos) {
                readPos = writePos = 0;
            }
            if (body.capacity() - writePos < length) {
                compact();
                if (body.capacity() - writePos < length) {
                    return false;
                }
            }
            for (int i = 0; i < length; i++) {
                body.put(writePos + i, in.get(from + i));
            }
            writePos += length;
            received += length;
        }
        if (websocket) {
            remoteEnded = endStream;
            if (tunnel != null) {
                tunnel.clientData();
            }
            return true;
        }
        if (declaredLength >= 0 && (received > declaredLength || endStream && received != declaredLength)) {
            bodyStatus = 400;
            bodyError = "content-length " + declaredLength + " but " + received + (endStream ? "" : "+")
                    + " bytes of DATA";
            remoteEnded = true;
            conn.glitch("content-length mismatch");
            resetNow(Frames.PROTOCOL_ERROR); // a malformed request (RFC 9113 §8.1.1): the stream is reset
            return true;
        }
        if (endStream) {
            remoteEnded = true;
            framed.end("");
        }
        exchange.requestData();
        return true;
    }

    /** The request's trailers ({@code name: value} lines): the body is over. */
    void trailers(String lines) {
        if (remoteEnded) {
            return;
        }
        if (declaredLength >= 0 && received != declaredLength) {
            data(null, 0, 0, true); // reports the short body
            return;
        }
        remoteEnded = true;
        framed.end(lines);
        exchange.requestData();
    }

    /** The peer reset the stream. */
    void peerReset() {
        remoteEnded = true;
        localEnded = true;
        endExchange();
    }

    /** Resets the stream with {@code code} and ends its exchange. */
    void resetNow(int code) {
        if (!localEnded) {
            localEnded = true;
            conn.sendReset(id, code);
        }
        endExchange();
    }

    private void endExchange() {
        if (exchange.active()) {
            exchange.clientFailed(); // calls abort(), which closes the stream
        } else {
            close();
        }
    }

    /** The connection went away: the exchange ends without a word. */
    void connectionClosed() {
        if (!closed) {
            localEnded = true;
            exchange.connectionClosed();
            close();
        }
    }

    private void compact() {
        if (held || readPos == 0) {
            return;
        }
        int n = writePos - readPos;
        for (int i = 0; i < n; i++) {
            body.put(i, body.get(readPos + i));
        }
        readPos = 0;
        writePos = n;
    }

    // ======================================================================== the request body, in place

    @Override
    public boolean ready() {
        return readPos < writePos;
    }

    @Override
    public ByteBuffer buffer() {
        return body;
    }

    @Override
    public int from() {
        return readPos;
    }

    @Override
    public int to() {
        return writePos;
    }

    @Override
    public void consumed(int n) {
        readPos += n;
        if (!remoteEnded) {
            unacked += n;
            if (unacked >= conn.streamWindow() / 2) {
                conn.grant(id, unacked);
                unacked = 0;
            }
        }
    }

    @Override
    public boolean complete() {
        return remoteEnded && bodyError == null && readPos == writePos;
    }

    @Override
    public boolean failed() {
        return bodyError != null;
    }

    @Override
    public BodyDecoder decoder() {
        return framed;
    }

    @Override
    public BodySource requestBody() {
        return hasBody ? this : null;
    }

    @Override
    public boolean rewindRequestBody() {
        if (!held) {
            return false;
        }
        readPos = 0;
        return true;
    }

    @Override
    public void holdRequestBody(long maxBytes) {
        held = remoteEnded && bodyError == null && readPos == 0 && writePos <= maxBytes;
    }

    @Override
    public boolean requestBodyRetained() {
        return held;
    }

    @Override
    public int requestBodyStatus() {
        return bodyStatus == 0 ? 400 : bodyStatus;
    }

    @Override
    public String requestBodyError() {
        return bodyError != null ? bodyError : "request body cut short";
    }

    // ======================================================================== ClientSide: who the client is

    @Override
    public EventLoop loop() {
        return conn.loop();
    }

    @Override
    public String peerIp() {
        return conn.client().peerIp();
    }

    @Override
    public boolean trustedPeer() {
        return conn.client().trustedPeer();
    }

    @Override
    public String localAuthority() {
        return conn.client().localAuthority();
    }

    @Override
    public String clientCertificateSubject() {
        return conn.client().clientCertificateSubject();
    }

    @Override
    public boolean streamsBodies() {
        return true;
    }

    @Override
    public boolean compresses() {
        return true; // DATA frames carry the gzip stream
    }

    @Override
    public long responseBytes() {
        return sent;
    }

    // ======================================================================== ClientSide: the response

    @Override
    public void interim(HttpHead h) {
        if (closed || headSent || localEnded) {
            return;
        }
        fields.clear();
        fields.add(new String[] {":status", Integer.toString(h.status())});
        conn.headers(this, fields, false);
    }

    @Override
    public void responseHead(HttpHead h, long contentLength, boolean hasBody, int gzipLevel) {
        if (closed || localEnded) {
            return;
        }
        ExchangePolicy policy = exchange.policy();
        RoutePolicy rp = policy.policy;
        ByteBuffer b = conn.buffers().take();
        try {
            HeadWriter.response(h, b, conn.forwarding(), null, false, hasBody && gzipLevel < 0 ? contentLength : -1, false,
                    rp.active ? policy.responseDrop : HeadWriter.Drop.NONE,
                    rp.active ? policy.responseExtra : HeadWriter.Extra.NONE);
            fields.clear();
            fields.add(new String[] {":status", Integer.toString(h.status())});
            Http2Fields.fromHttp1(b, b.position(), fields);
        } catch (java.nio.BufferOverflowException e) {
            conn.buffers().give(b);
            exchange.abort("aborted");
            return;
        }
        conn.buffers().give(b);
        headSent = true;
        if (!hasBody) {
            conn.headers(this, fields, true);
            localEnded = true;
            exchange.responseWritten();
            return;
        }
        conn.headers(this, fields, false);
        responseBody = exchange.responseBody();
        if (gzipLevel >= 0) {
            gzipped = new GzippedBody(responseBody, gzipLevel, conn.buffers());
            responseBody = gzipped;
        }
        conn.wantsToSend(this);
    }

    @Override
    public void responseData() {
        if (!closed && (responseBody != null || localBody != null)) {
            conn.wantsToSend(this);
        }
    }

    @Override
    public void respond(LocalReply reply) {
        if (closed || localEnded) {
            return;
        }
        fields.clear();
        fields.add(new String[] {":status", Integer.toString(reply.status())});
        for (Map.Entry<String, String> f : reply.fields()) {
            String name = f.getKey().toLowerCase(Locale.ROOT);
            if (!name.equals("connection") && !name.equals("content-length")) {
                fields.add(new String[] {name, f.getValue()});
            }
        }
        boolean bodyless = exchange.head() != null && exchange.head().method() == HttpHead.Method.HEAD
                || reply.status() == 204 || reply.status() == 304;
        byte[] content = bodyless ? new byte[0] : reply.body();
        if (reply.status() >= 200 && reply.status() != 204 && reply.status() != 304) {
            fields.add(new String[] {"content-length", Integer.toString(reply.body().length)});
        }
        headSent = true;
        if (content.length == 0) {
            conn.headers(this, fields, true);
            localEnded = true;
            exchange.responseWritten();
            return;
        }
        conn.headers(this, fields, false);
        localBody = ByteBuffer.wrap(content);
        conn.wantsToSend(this);
    }

    /**
     * The backend switched to WebSocket for an extended CONNECT: checked (its Sec-WebSocket-Accept must answer the key
     * the proxy sent), answered 200, and relayed by an {@link Http2Tunnel} from now on.
     */
    @Override
    public void tunnel(HttpHead h, Http1Upstream upstream) {
        String accept = h.header("sec-websocket-accept");
        if (websocketKey == null || closed || localEnded || accept == null
                || !accept.equals(Upgrades.webSocketAccept(websocketKey))) {
            upstream.close();
            exchange.abort("aborted");
            return;
        }
        fields.clear();
        fields.add(new String[] {":status", "200"});
        for (String name : new String[] {"sec-websocket-protocol", "sec-websocket-extensions"}) {
            String value = h.header(name);
            if (value != null) {
                fields.add(new String[] {name, value});
            }
        }
        headSent = true;
        conn.headers(this, fields, false);
        ByteBuffer from = upstream.responseBuffer();
        int leftover = from.position() - h.end();
        ByteBuffer first = null;
        if (leftover > 0) {
            first = conn.buffers().take();
            first.put(0, from, h.end(), leftover).position(leftover).flip();
        }
        io.jlb.nio.internal.Transport backend = upstream.transport();
        upstream.detach();
        tunnel = new Http2Tunnel(this, conn.loop(), backend, upstream.member, exchange.context().tunnelIdleNanos);
        tunnel.start(first);
    }

    // ======================================================================== Http2Tunnel.Stream

    @Override
    public BodySource clientData() {
        return this;
    }

    @Override
    public boolean clientEnded() {
        return remoteEnded;
    }

    @Override
    public void wantsToSend() {
        conn.wantsToSend(this);
        conn.settle();
    }

    @Override
    public void tunnelEnded() {
        localEnded = true;
        exchange.tunnelClosed();
        conn.settle();
    }

    @Override
    public void tunnelFailed(int code) {
        resetNow(code);
        conn.settle();
    }

    /**
     * Writes the next DATA frame (or the trailers) into the connection's output, at most {@code max} bytes: returns
     * whether more could follow at once.
     */
    boolean produce(int max) {
        if (tunnel != null) {
            return tunnel.produce(max, frames);
        }
        if (closed || localEnded) {
            return false;
        }
        if (localBody != null) {
            int n = (int) Math.min(localBody.remaining(), Math.min(max, sendWindow));
            if (n <= 0) {
                return false;
            }
            boolean last = n == localBody.remaining();
            ByteBuffer out = conn.dataFrame(this, n, last);
            out.put(localBody.slice(localBody.position(), n));
            sent += n;
            localBody.position(localBody.position() + n);
            if (last) {
                localEnded = true;
                localBody = null;
                exchange.responseWritten();
                return false;
            }
            return true;
        }
        BodySource rb = responseBody;
        if (rb == null) {
            return false;
        }
        if (!rb.ready()) {
            if (rb.failed()) {
                exchange.responseBodyFailed();
                return false;
            }
            if (rb.complete()) {
                endResponse(rb);
                return false;
            }
            exchange.responseDrained();
            return false;
        }
        int n = (int) Math.min(rb.to() - rb.from(), Math.min(max, sendWindow));
        if (n <= 0) {
            return false;
        }
        int from = rb.from();
        ByteBuffer src = rb.buffer();
        ByteBuffer out = conn.dataFrame(this, n, false);
        out.put(src.slice(from, n));
        rb.consumed(n);
        sent += n;
        BodyDecoder d = rb.decoder();
        if (!rb.ready() && rb.complete() && (d == null || d.trailersLength() == 0)) {
            out.put(out.position() - n - 5, (byte) Frames.END_STREAM); // the last DATA frame ends the stream
            localEnded = true;
            exchange.responseWritten();
            return false;
        }
        return true;
    }

    private void endResponse(BodySource rb) {
        BodyDecoder d = rb.decoder();
        localEnded = true;
        if (d != null && d.trailersLength() > 0) {
            ByteBuffer b = ByteBuffer.allocate(d.trailersLength() + 4);
            b.put((byte) 'X').put((byte) '\r').put((byte) '\n'); // a first line for fromHttp1 to skip
            d.writeTrailers(b);
            fields.clear();
            Http2Fields.fromHttp1(b, b.position(), fields);
            conn.headers(this, fields, true);
        } else {
            conn.dataFrame(this, 0, true);
        }
        exchange.responseWritten();
    }

    /** Response data could be sent once the peer's window grows. */
    boolean blocked() {
        return !closed && (tunnel != null ? tunnel.hasDataToSend()
                : !localEnded && (localBody != null || responseBody != null));
    }

    @Override
    public void ended(boolean reusable) {
        if (!remoteEnded) {
            remoteEnded = true;
            conn.sendReset(id, Frames.NO_ERROR); // the answer is complete: the rest of the request is not needed
        }
        close();
    }

    @Override
    public void abort() {
        if (!localEnded) {
            localEnded = true;
            conn.sendReset(id, headSent ? Frames.INTERNAL_ERROR : Frames.REFUSED_STREAM);
        }
        close();
    }

    @Override
    public void settle() {
        conn.settle();
    }

    /** Lets the stream's upstream read (or not) as the response's progress allows. */
    void settleUpstream() {
        if (!closed) {
            exchange.settleUpstream();
        }
    }

    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        responseBody = null;
        localBody = null;
        if (gzipped != null) {
            gzipped.release();
            gzipped = null;
        }
        if (tunnel != null) {
            tunnel.close();
        }
        if (head != null) {
            conn.buffers().give(head);
            head = null;
        }
        if (body != null) {
            conn.buffers().give(body);
            body = null;
        }
        if (exchange.active()) {
            exchange.connectionClosed();
        }
        exchange.recycle();
        conn.streamClosed(this);
    }
}
