/**
 * jlb's core: backends, pools, selectors, health checking, DNS discovery and the {@link io.jlb.core.LoadBalancer}.
 * No dependencies beyond the JDK (java.naming, for SRV lookups through its DNS provider).
 */
module io.jlb.core {
    requires java.naming;

    exports io.jlb.core;
}
