/**
 * Backends, pools, selection algorithms, health checking and the {@link io.jlb.core.LoadBalancer} that ties them
 * together. Usable alone for client-side balancing; the L4 and L7 proxies build on it. No runtime dependencies.
 */
package io.jlb.core;
