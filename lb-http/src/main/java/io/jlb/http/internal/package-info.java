/**
 * The HTTP/1.1 codec and proxy machinery behind {@link io.jlb.http.HttpProxy}. Not API: it may change in any
 * release; public only so that jlb's own benchmarks can measure it.
 */
package io.jlb.http.internal;
