package io.jlb.http;

import io.jlb.http.internal.BodySource;
import io.jlb.http.internal.HttpHead;
import io.jlb.nio.internal.EventLoop;

/**
 * What an {@link Exchange} needs of the side its request came from: an HTTP/1.1 connection (one exchange at a time),
 * or an HTTP/2 stream. It hands the exchange the request head and body, writes the response head and body in
 * its own protocol with its own framing, answers with the proxy's own replies, and learns when the exchange is over.
 * Loop-confined.
 */
interface ClientSide {
    /** The loop the exchange runs on. */
    EventLoop loop();

    /** The address the connection came from (or a PROXY header named), as text. */
    String peerIp();

    /** Whether that peer is a trusted proxy. */
    boolean trustedPeer();

    /** The listener's address as an authority, the Host for requests that name none (HTTP/1.0). */
    String localAuthority();

    /** The subject of the client's verified certificate (mTLS), or null. */
    String clientCertificateSubject();

    /** The request body, read in place, or null when the request has none. */
    BodySource requestBody();

    /**
     * Makes the request body readable again from its start, for a retry: true when all of it is still held; false
     * when it cannot be sent again.
     */
    boolean rewindRequestBody();

    /** Holds the request body for a retry when it is all here and at most {@code maxBytes}. */
    void holdRequestBody(long maxBytes);

    /** Whether the request body can still be sent again ({@link #rewindRequestBody()} would succeed). */
    boolean requestBodyRetained();

    /** What was wrong with a request body that {@link BodySource#failed() failed}: the status to answer. */
    int requestBodyStatus();

    /** Why it failed. */
    String requestBodyError();

    /** Whether a response body of unknown length can be framed without closing the connection (not HTTP/1.0). */
    boolean streamsBodies();

    /** Whether response bodies may be compressed on the way to this client (the compression policy permitting). */
    boolean compresses();

    /** Response body bytes written to the client for the exchange in progress (for the access log). */
    long responseBytes();

    /** An interim response (100 Continue) from the backend, passed on where the protocol allows it. */
    void interim(HttpHead head);

    /**
     * Writes the response head: {@code head}'s status and fields, less what the exchange's policy drops, plus what
     * it adds; the body follows from {@link Exchange#responseBody()}: {@code contentLength} bytes (-1: unknown),
     * none when {@code !hasBody}, gzip-compressed with {@code gzipLevel} when it is not -1.
     */
    void responseHead(HttpHead head, long contentLength, boolean hasBody, int gzipLevel);

    /** Response body data is ready: write what can be written. */
    void responseData();

    /** Answers with the proxy's own reply. */
    void respond(LocalReply reply);

    /** The backend switched protocols (101): the connection becomes a tunnel to it. */
    void tunnel(HttpHead head, Http1Upstream upstream);

    /** The exchange is over; the connection may go on with the next request when {@code reusable}. */
    void ended(boolean reusable);

    /** The exchange failed after its response began: cut the connection. */
    void abort();

    /** Reconsiders what to read and write, after the exchange changed state. */
    void settle();
}
