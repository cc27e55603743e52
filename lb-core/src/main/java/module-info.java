/**
 * jlb's core: backends, pools, selectors, health checking and the {@link io.jlb.core.LoadBalancer}. No dependencies.
 */
module io.jlb.core {
    exports io.jlb.core;
}
