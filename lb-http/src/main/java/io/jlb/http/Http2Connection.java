package io.jlb.http;

import io.jlb.http.internal.h2.Frames;
import io.jlb.http.internal.h2.HpackDecoder;
import io.jlb.http.internal.h2.HpackEncoder;
import io.jlb.nio.internal.BufferPool;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.IoHandler;
import io.jlb.nio.internal.Timer;
import io.jlb.nio.internal.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of an HTTP/2 connection (RFC 9113): the preface and SETTINGS, frames read and checked, header
 * blocks decoded (CONTINUATION included) into requests, one {@link Http2Stream} per request and an exchange each,
 * flow control both ways, PING, GOAWAY (and a graceful two-step drain), and the limits that keep an abusive peer from
 * costing more than it is allowed: concurrent streams, header list size, CONTINUATION frames per block, control
 * frames waiting to be written, new streams per loop turn, and a count of "glitches" (early resets, empty frames,
 * floods) past which the connection is closed with ENHANCE_YOUR_CALM. Frames are read only while the peer reads what
 * is written to it. Loop-confined.
 */
final class Http2Connection implements IoHandler, Http2Reader.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(Http2Connection.class);
    /** New streams taken up per loop turn; the rest wait for the next turn, so one connection cannot hog a loop. */
    private static final int NEW_STREAMS_PER_TURN = 64;
    /** Finished streams kept for the next ones (each with its exchange and parser, a few KiB). */
    private static final int MAX_FREE_STREAMS = 64;
    /** After a GOAWAY of the first kind, the time clients get to notice it before the last stream id is fixed. */
    private static final long GOAWAY_GRACE_NANOS = 1_000_000_000L;
    /** The opaque data of the PING that follows the first GOAWAY ("jlb-gone"). */
    private static final long DRAIN_PING = 0x6a6c622d676f6e65L;

    private final ListenerContext ctx;
    private final EventLoop loop;
    private final Transport transport;
    private final Http1Connection owner;
    private final Http2Settings settings;
    private final Http2Limits limits;
    private final HpackDecoder decoder;
    private final Http2Request request = new Http2Request();
    private final Http2Writer writer;
    private final Http2Reader reader;
    private final Http2StreamMap streams = new Http2StreamMap();
    private final ArrayDeque<Http2Stream> free = new ArrayDeque<>();
    private final Timer timer;
    private final Runnable resume = this::resume;
    private final int maxFrame;
    private final int streamWindow;
    private final int maxHeaderList;
    private ByteBuffer in;

    private int peerInitialWindow = Frames.DEFAULT_WINDOW;
    private int connectionUnacked;
    private int lastStreamId;
    private long streamsOpened;
    private int newStreamsThisTurn;
    private boolean resumeQueued;
    private int goawayPhase;
    private int goawayLastStream = Integer.MAX_VALUE;
    private boolean peerGoaway;
    private boolean closing;
    private boolean closed;
    private long deadline;
    private long idleSince;
    private boolean flushing;
    private boolean settlePending;
    private final Runnable settleNow = this::settleNow;

    Http2Connection(ListenerContext ctx, EventLoop loop, Transport transport, Http1Connection owner) {
        this.ctx = ctx;
        this.loop = loop;
        this.transport = transport;
        this.owner = owner;
        this.settings = ctx.http2;
        this.limits = new Http2Limits(ctx, settings, owner.peerIp());
        BufferPool pool = loop.buffers();
        this.writer = new Http2Writer(pool);
        this.maxFrame = Math.min(settings.maxFrameSize(), pool.bufferSize() - Frames.HEADER);
        this.streamWindow = Math.min(settings.initialWindow(), pool.bufferSize());
        this.maxHeaderList = settings.maxHeaderListSize() > 0 ? settings.maxHeaderListSize() : ctx.limits.maxHeadBytes();
        this.decoder = new HpackDecoder(settings.headerTableSize());
        this.reader = new Http2Reader(this, maxFrame, maxHeaderList, settings.maxContinuations());
        this.timer = loop.timer(this::timedOut);
    }

    /** Takes the connection over: {@code early} holds what was read of it already (the preface, for h2c). */
    void start(ByteBuffer early) {
        in = loop.buffers().take();
        if (early != null) {
            in.put(early);
        }
        ctx.stats.http2Connections.increment();
        ctx.stats.http2ActiveConnections.increment();
        try {
            transport.register(loop, this);
        } catch (IOException e) {
            LOG.debug("{}: HTTP/2 with {} failed to start: {}", ctx.name, owner.peerIp(), e.toString());
            close();
            return;
        }
        transport.onWake(() -> ready(SelectionKey.OP_READ | SelectionKey.OP_WRITE));
        writer.settings(settings, streamWindow, maxFrame, maxHeaderList);
        idleFrom(ctx.headerTimeoutNanos);
        process();
        read(); // what the transport holds already (TLS records decrypted with the handshake's last flight)
        settle();
    }

    // ======================================================================== what streams see

    /** The HTTP/1.1 connection this one took over: who the client is. */
    Http1Connection client() {
        return owner;
    }

    EventLoop loop() {
        return loop;
    }

    BufferPool buffers() {
        return loop.buffers();
    }

    io.jlb.http.internal.HeadWriter.Options forwarding() {
        return ctx.forwarding;
    }

    /** The window this side grants each stream. */
    int streamWindow() {
        return streamWindow;
    }

    /** Queues a header block for {@code s}; false when it is too large to encode (the stream was reset). */
    boolean headers(Http2Stream s, List<String[]> fields, boolean endStream) {
        if (writer.headers(s.id, fields, endStream)) {
            return true;
        }
        writer.reset(s.id, Frames.INTERNAL_ERROR);
        return false;
    }

    /** A DATA frame of {@code n} bytes for {@code s}, the payload to be put by the caller. */
    ByteBuffer dataFrame(Http2Stream s, int n, boolean endStream) {
        return writer.data(s, n, endStream);
    }

    void sendReset(int id, int code) {
        writer.reset(id, code);
    }

    /** Gives the peer {@code increment} more bytes of window on stream {@code id} (0: the connection). */
    void grant(int id, int increment) {
        writer.windowUpdate(id, increment);
    }

    /** {@code s} has response data to send. */
    void wantsToSend(Http2Stream s) {
        writer.wantsToSend(s);
    }

    // ======================================================================== events

    @Override
    public void ready(int readyOps) {
        if (closed) {
            return;
        }
        try {
            readyOps = transport.onReady(readyOps);
        } catch (IOException e) {
            LOG.debug("{}: TLS with {} failed: {}", ctx.name, owner.peerIp(), e.toString());
            ctx.stats.tlsFailures.increment();
            close();
            return;
        }
        newStreamsThisTurn = 0;
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            flush();
            process(); // frames left waiting while the backlog was high
        }
        if ((readyOps & SelectionKey.OP_READ) != 0 && !closed) {
            read();
        }
        settle();
    }

    @Override
    public void failed(Throwable error) {
        LOG.debug("{}: HTTP/2 connection of {} failed", ctx.name, owner.peerIp(), error);
        close();
    }

    private void read() {
        int n;
        try {
            n = transport.read(in);
        } catch (IOException e) {
            LOG.debug("{}: HTTP/2 client {} failed: {}", ctx.name, owner.peerIp(), e.toString());
            close();
            return;
        }
        if (n < 0) {
            close(); // the peer left: streams in progress end without a word
            return;
        }
        if (n > 0) {
            process();
        }
    }

    /** Frames left unprocessed by the last turn (its share of new streams taken). */
    private void resume() {
        resumeQueued = false;
        newStreamsThisTurn = 0;
        if (!closed) {
            process();
            settle();
        }
    }

    private void process() {
        if (!closed && !closing) {
            reader.process(in);
        }
    }

    // ======================================================================== frames, as the reader hands them over

    @Override
    public boolean paused() {
        if (closed || closing) {
            return true;
        }
        if (newStreamsThisTurn >= NEW_STREAMS_PER_TURN) {
            if (!resumeQueued) {
                resumeQueued = true;
                loop.execute(resume);
            }
            return true;
        }
        return writer.pending() > Http2Writer.HIGH_WATER;
    }

    @Override
    public void data(int id, boolean end, ByteBuffer buffer, int from, int length, int flow) {
        credit(flow); // flow-controlled whatever becomes of it
        Http2Stream s = streams.get(id);
        if (s == null) {
            if (id > lastStreamId) {
                connectionError(Frames.PROTOCOL_ERROR, "DATA on an idle stream");
            } else {
                writer.reset(id, Frames.STREAM_CLOSED);
                glitch("DATA on a closed stream");
            }
            return;
        }
        if (!s.data(buffer, from, length, end)) {
            limits.trip("DATA beyond the stream's window", Http2Limits.Kind.FLOW);
            s.resetNow(Frames.FLOW_CONTROL_ERROR);
        }
    }

    /** Request body bytes count against the connection's window; credit goes back in batches. */
    private void credit(int n) {
        connectionUnacked += n;
        if (connectionUnacked >= settings.connectionWindow() / 4) {
            writer.windowUpdate(0, connectionUnacked);
            connectionUnacked = 0;
        }
    }

    /** A whole header block: a new request, or trailers of an open one. */
    @Override
    public void headerBlock(int id, boolean endStream, ByteBuffer block, int length) {
        Http2Stream s = streams.get(id);
        boolean trailers = s != null;
        if (s == null && id <= lastStreamId) {
            connectionError(Frames.STREAM_CLOSED, "HEADERS on closed stream " + id);
            return;
        }
        request.begin(trailers);
        try {
            decoder.decode(block, 0, length, maxHeaderList, request);
        } catch (HpackDecoder.Error e) {
            if (!e.tooLarge) {
                limits.trip(e.getMessage(), Http2Limits.Kind.HPACK);
                connectionError(Frames.COMPRESSION_ERROR, e.getMessage());
                return;
            }
            limits.trip(e.getMessage(), Http2Limits.Kind.HEADER_LIST);
            if (trailers) {
                s.resetNow(Frames.PROTOCOL_ERROR);
            } else {
                lastStreamId = id;
                Http2Stream big = admit(id);
                if (big != null) {
                    big.tooLarge();
                }
            }
            return;
        }
        if (trailers) {
            if (!endStream || request.error() != null) {
                s.resetNow(Frames.PROTOCOL_ERROR); // trailers must end the stream, and be well formed
            } else {
                s.trailers(request.trailerLines());
            }
            return;
        }
        lastStreamId = id;
        Http2Stream stream = admit(id);
        if (stream != null) {
            newStreamsThisTurn++;
            if (++streamsOpened >= settings.maxStreamsPerConnection()) {
                drain(); // enough for one connection: the client goes on with a new one
            }
            stream.request(request, endStream);
        }
    }

    /** A stream for a new request, or null when it is refused (draining, over the concurrency limit). */
    private Http2Stream admit(int id) {
        if (goawayPhase > 0 && id > goawayLastStream || peerGoaway) {
            writer.reset(id, Frames.REFUSED_STREAM);
            return null;
        }
        if (streams.size() >= settings.maxConcurrentStreams()) {
            writer.reset(id, Frames.REFUSED_STREAM);
            glitch("a stream over the concurrency limit");
            return null;
        }
        Http2Stream s = free.pollFirst();
        if (s == null) {
            s = new Http2Stream(this, ctx);
        }
        s.open(id, peerInitialWindow);
        streams.put(id, s);
        ctx.stats.http2Streams.increment();
        ctx.stats.http2ActiveStreams.increment();
        deadline = 0;
        return s;
    }

    @Override
    public void reset(int id, int code) {
        if (id > lastStreamId) {
            connectionError(Frames.PROTOCOL_ERROR, "RST_STREAM on an idle stream");
            return;
        }
        Http2Stream s = streams.get(id);
        if (s == null) {
            return;
        }
        boolean early = !s.responseBegan();
        s.peerReset();
        if (early && limits.earlyReset(streamsOpened)) { // the rapid-reset pattern, in numbers
            connectionError(Frames.ENHANCE_YOUR_CALM, "too many streams reset before their response");
        }
    }

    @Override
    public void settings(ByteBuffer b, int from, int length) {
        for (int p = from; p < from + length; p += 6) {
            int key = b.getShort(p) & 0xffff;
            long value = b.getInt(p + 2) & 0xffffffffL;
            switch (key) {
                case Frames.SETTINGS_HEADER_TABLE_SIZE -> writer.encoder().peerTableSize((int) Math.min(value, 1 << 20));
                case Frames.SETTINGS_ENABLE_PUSH -> {
                    if (value > 1) {
                        connectionError(Frames.PROTOCOL_ERROR, "ENABLE_PUSH " + value);
                        return;
                    }
                }
                case Frames.SETTINGS_INITIAL_WINDOW_SIZE -> {
                    if (value > Frames.MAX_WINDOW) {
                        limits.trip("INITIAL_WINDOW_SIZE " + value, Http2Limits.Kind.FLOW);
                        connectionError(Frames.FLOW_CONTROL_ERROR, "INITIAL_WINDOW_SIZE " + value);
                        return;
                    }
                    long delta = value - peerInitialWindow;
                    peerInitialWindow = (int) value;
                    streams.forEach(s -> s.sendWindow += delta);
                    if (delta > 0) {
                        wakeBlocked();
                    }
                }
                case Frames.SETTINGS_MAX_FRAME_SIZE -> {
                    if (value < Frames.DEFAULT_MAX_FRAME || value > 16_777_215) {
                        connectionError(Frames.PROTOCOL_ERROR, "MAX_FRAME_SIZE " + value);
                        return;
                    }
                    writer.peerMaxFrame = (int) value;
                }
                default -> { } // MAX_CONCURRENT_STREAMS (for pushes, which are not made) and unknown ones
            }
        }
        writer.settingsAck();
    }

    @Override
    public void ping(long opaque, boolean ack) {
        if (!ack) {
            writer.pingAck(opaque);
        } else if (goawayPhase == 1 && opaque == DRAIN_PING) {
            finishDrain(); // the client has seen the first GOAWAY
        }
    }

    @Override
    public void goaway() {
        peerGoaway = true; // no new streams come; the connection closes once the open ones are done
    }

    @Override
    public void windowUpdate(int id, int increment) {
        if (id == 0) {
            if (increment == 0) {
                connectionError(Frames.PROTOCOL_ERROR, "a WINDOW_UPDATE of 0");
                return;
            }
            writer.sendWindow += increment;
            if (writer.sendWindow > Frames.MAX_WINDOW) {
                limits.trip("connection window overflow", Http2Limits.Kind.FLOW);
                connectionError(Frames.FLOW_CONTROL_ERROR, "the connection window beyond 2^31-1");
                return;
            }
            wakeBlocked();
            return;
        }
        Http2Stream s = streams.get(id);
        if (s == null) {
            if (id > lastStreamId) {
                connectionError(Frames.PROTOCOL_ERROR, "WINDOW_UPDATE on an idle stream");
            }
            return;
        }
        if (increment == 0) {
            s.resetNow(Frames.PROTOCOL_ERROR);
            glitch("a WINDOW_UPDATE of 0");
            return;
        }
        s.sendWindow += increment;
        if (s.sendWindow > Frames.MAX_WINDOW) {
            limits.trip("stream window overflow", Http2Limits.Kind.FLOW);
            s.resetNow(Frames.FLOW_CONTROL_ERROR);
            return;
        }
        if (s.blocked()) {
            writer.wantsToSend(s);
        }
    }

    @Override
    public void tripped(String what, Http2Limits.Kind kind) {
        limits.trip(what, kind);
    }

    private void flush() {
        if (flushing) {
            return; // a stream's exchange ended while its last frame was made: the flush under way goes on
        }
        flushing = true;
        try {
            writer.flush(transport);
        } catch (IOException e) {
            LOG.debug("{}: writing to HTTP/2 client {} failed: {}", ctx.name, owner.peerIp(), e.toString());
            close();
            return;
        } finally {
            flushing = false;
        }
        if (writer.flooded()) {
            limits.trip(writer.pending() + " bytes of frames it provoked left unread", Http2Limits.Kind.FLOOD);
            close();
        }
    }

    private void wakeBlocked() {
        streams.forEach(s -> {
            if (s.blocked()) {
                writer.wantsToSend(s);
            }
        });
    }

    private void goaway(int last, int code, String why) {
        writer.goaway(last, code, why);
    }

    /**
     * Writes what is pending and sets what to wait for; called after every event, done once at the end of the
     * loop's turn, so that the responses of many streams whose backends answered in the same turn go out in one
     * write.
     */
    void settle() {
        if (closed || settlePending) {
            return;
        }
        settlePending = true;
        loop.defer(settleNow);
    }

    private void settleNow() {
        settlePending = false;
        if (closed) {
            return;
        }
        flush();
        if (closed) {
            return;
        }
        if (closing && writer.pending() == 0) {
            close();
            return;
        }
        if (goawayPhase > 0 && streams.size() == 0 && writer.pending() == 0 && goawayPhase == 2) {
            close();
            return;
        }
        if (peerGoaway && streams.size() == 0 && writer.pending() == 0) {
            close();
            return;
        }
        boolean read = !closing && in.hasRemaining() && writer.pending() <= Http2Writer.HIGH_WATER;
        boolean write = writer.pending() > 0;
        transport.interest((read ? SelectionKey.OP_READ : 0) | (write ? SelectionKey.OP_WRITE : 0));
        streams.forEach(Http2Stream::settleUpstream); // what each stream's upstream should wait for now
        if (streams.size() == 0 && deadline == 0) {
            idleFrom(ctx.keepAliveIdleNanos());
        }
    }


    // ======================================================================== streams ending, errors, closing

    /** A stream's exchange is over: its stream goes back to the free list. */
    void streamClosed(Http2Stream s) {
        if (streams.remove(s.id) != null) {
            ctx.stats.http2ActiveStreams.decrement();
            if (streams.size() == 0) {
                idleSince = loop.now();
            }
            if (free.size() < MAX_FREE_STREAMS) {
                free.addLast(s);
            }
        }
    }

    /** A request whose fields are malformed: the stream is reset (RFC 9113 §8.1.1). */
    void malformed(Http2Stream s, String why) {
        LOG.debug("{}: malformed HTTP/2 request from {}: {}", ctx.name, owner.peerIp(), why);
        glitch(why);
        s.resetNow(Frames.PROTOCOL_ERROR);
    }

    /** Misbehaviour that is not an error on its own; too much of it closes the connection. */
    @Override
    public void glitch(String what) {
        if (limits.glitch(what)) {
            connectionError(Frames.ENHANCE_YOUR_CALM, "too many glitches (last: " + what + ")");
        }
    }

    @Override
    public void connectionError(int code, String why) {
        if (closing || closed) {
            return;
        }
        LOG.debug("{}: HTTP/2 connection error with {}: {} ({})", ctx.name, owner.peerIp(), Frames.error(code), why);
        ctx.stats.http2ConnectionErrors.increment();
        goaway(lastStreamId, code, why);
        closing = true;
        streams.forEach(Http2Stream::connectionClosed);
    }

    /**
     * A graceful close: GOAWAY with the largest stream id (clients stop opening streams), a PING to learn when they
     * have seen it, then GOAWAY with the last stream taken up; the connection closes once those streams are done.
     */
    void drain() {
        if (goawayPhase > 0 || closing || closed) {
            return;
        }
        goawayPhase = 1;
        goaway(Integer.MAX_VALUE, Frames.NO_ERROR, "");
        writer.ping(DRAIN_PING);
        deadline = loop.now() + GOAWAY_GRACE_NANOS;
        timer.scheduleAt(deadline);
        settle();
    }

    private void finishDrain() {
        if (goawayPhase != 1) {
            return;
        }
        goawayPhase = 2;
        goawayLastStream = lastStreamId;
        goaway(lastStreamId, Frames.NO_ERROR, "");
        settle();
    }

    /** Drains the connection if it has had no stream open since before {@code cutoff} (loop clock). */
    void closeIfIdleSince(long cutoff) {
        if (streams.size() == 0 && idleSince - cutoff <= 0) {
            drain();
        }
    }

    /** Cuts the connection now (a shutdown deadline, a failure). */
    void abort() {
        close();
    }

    private void idleFrom(long nanos) {
        deadline = loop.now() + nanos;
        timer.scheduleAt(deadline);
    }

    private void timedOut() {
        if (closed || deadline == 0) {
            return;
        }
        if (loop.now() - deadline < 0) {
            timer.scheduleAt(deadline);
            return;
        }
        if (goawayPhase == 1) {
            finishDrain();
            return;
        }
        if (closing) {
            close();
            return;
        }
        if (streams.size() == 0) {
            if (!reader.started()) {
                close(); // no preface in time
                return;
            }
            drain(); // idle: a graceful close
            return;
        }
        deadline = 0;
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.cancel();
        streams.forEach(Http2Stream::connectionClosed);
        writer.release();
        ctx.stats.http2ActiveConnections.decrement();
        if (in != null) {
            loop.buffers().give(in);
            in = null;
        }
        owner.http2Closed();
    }

    /** Whether it is closed. */
    boolean isClosed() {
        return closed;
    }

    /** The open streams. */
    int openStreams() {
        return streams.size();
    }
}
