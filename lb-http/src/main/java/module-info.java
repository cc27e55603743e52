/** jlb's L7: a strict HTTP/1.1 codec and the reverse proxy with content-based routing. */
module io.jlb.http {
    requires transitive io.jlb.core;
    requires transitive io.jlb.nio;
    requires org.slf4j;

    exports io.jlb.http;
    exports io.jlb.http.internal;
}
