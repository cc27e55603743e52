package io.jlb.http;

/**
 * Answers a request in the proxy itself instead of forwarding it: an admin endpoint, a fixed response, a redirect.
 * Runs on the connection's event loop, so it must be quick and must not block; the request body has been read in
 * full (up to the route's limit) before it is called. An exception it throws is answered 500.
 *
 * <pre>{@code
 * routes(r -> r.path("/ping").handle(request -> Reply.text(200, "pong\n")))
 * }</pre>
 */
@FunctionalInterface
public interface Handler {
    /** The reply to {@code request}. */
    Reply handle(Request request) throws Exception;
}
