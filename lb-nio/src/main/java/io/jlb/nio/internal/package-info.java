/**
 * Event loops, timers, buffers, the byte relay and the PROXY/TLS codecs that jlb's proxies share. Not API: it may
 * change in any release, and is exported only to jlb's own modules.
 */
package io.jlb.nio.internal;
