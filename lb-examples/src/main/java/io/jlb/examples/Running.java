package io.jlb.examples;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What a command started: the deployment and anything else (demo services) to stop with it. */
final class Running implements AutoCloseable {
    private final Deployment deployment;
    private final List<AutoCloseable> extras;

    Running(Deployment deployment, List<AutoCloseable> extras) {
        this.deployment = deployment;
        this.extras = new ArrayList<>(extras);
    }

    /** Bound addresses by listener name. */
    Map<String, InetSocketAddress> addresses() {
        return deployment.addresses();
    }

    Deployment deployment() {
        return deployment;
    }

    @Override
    public void close() {
        deployment.close();
        for (int i = extras.size() - 1; i >= 0; i--) {
            try {
                extras.get(i).close();
            } catch (Exception e) {
                // stopping anyway
            }
        }
    }
}
