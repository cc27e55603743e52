package io.jlb.http.internal;

/**
 * What one request's forwarded head says beyond its own fields: who the peer was and whether it may speak for
 * others, how the body is framed, an upgrade to pass on. One per connection, filled for each request; loop-confined.
 */
public final class Forwarding {
    /** The address the connection came from (or the PROXY protocol's source), as text without brackets. */
    public String peerIp;
    /** The client the request is for: the peer, or the address a trusted peer named in X-Forwarded-For. */
    public String clientIp;
    /** Whether the peer is a trusted proxy whose X-Forwarded-For, Forwarded and X-Real-IP are kept and added to. */
    public boolean trustedPeer;
    /** {@code http} or {@code https}. */
    public String proto;
    /** A path prefix to remove, or null. */
    public String stripPrefix;
    /** Whether the body follows chunked (written as Transfer-Encoding), else Content-Length when there is one. */
    public boolean chunked;
    /** The protocols of an upgrade to pass on ({@code websocket}), or null to forward no upgrade. */
    public String upgrade;
    /** The Host to send when the request named none (HTTP/1.0), e.g. the listener's address. */
    public String defaultHost;

    /** An empty one, filled per request. */
    public Forwarding() {}
}
