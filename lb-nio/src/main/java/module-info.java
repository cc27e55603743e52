/**
 * jlb's transport: java.nio event loops and the L4 TCP/UDP forwarder. The internal package is shared with lb-http
 * only.
 */
module io.jlb.nio {
    requires transitive io.jlb.core;
    requires org.slf4j;
    requires static java.management;
    requires static jdk.management;

    exports io.jlb.nio;
    exports io.jlb.nio.internal to io.jlb.http;
}
