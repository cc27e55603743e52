package io.jlb.examples;

import io.jlb.core.HealthCheck;
import io.jlb.core.Lease;
import io.jlb.core.LoadBalancer;
import io.jlb.core.PickContext;
import io.jlb.core.Selector;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * Client-side balancing with lb-core alone: each outgoing {@code java.net.http} call goes to a backend the load
 * balancer picks (least connections, health-checked), and its outcome is reported back, so that failures eject a
 * backend and latencies inform the next picks.
 */
public final class ClientSideBalancing implements AutoCloseable {
    private final LoadBalancer lb;
    private final HttpClient http = HttpClient.newHttpClient();

    /** Balances over {@code backends} ({@code host:port}). */
    public ClientSideBalancing(List<String> backends) {
        lb = LoadBalancer.builder()
                .pool("users", pool -> pool
                        .backends(backends.toArray(String[]::new))
                        .selector(Selector.leastConnections())
                        .healthCheck(HealthCheck.tcp()))
                .build()
                .start();
    }

    /** GETs {@code path} from a backend of the pool; throws when none is eligible or the call fails. */
    public String get(String path) throws IOException, InterruptedException {
        try (Lease lease = lb.acquire("users", PickContext.EMPTY)) {
            if (!lease.found()) {
                throw new IOException("no backend available");
            }
            URI uri = URI.create("http://" + lease.backend().authority() + path);
            long start = System.nanoTime();
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() >= 500) {
                    lease.failure();
                } else {
                    lease.success(System.nanoTime() - start);
                }
                return response.body();
            } catch (IOException e) {
                lease.failure(); // a refused connection counts toward ejecting this backend
                throw e;
            }
        }
    }

    /** The load balancer, to look at its pools. */
    public LoadBalancer loadBalancer() {
        return lb;
    }

    @Override
    public void close() {
        lb.close();
    }

    /** {@code ClientSideBalancing HOST:PORT ...}: five calls, printed. */
    public static void main(String[] args) throws Exception {
        try (ClientSideBalancing client = new ClientSideBalancing(List.of(args))) {
            for (int i = 0; i < 5; i++) {
                System.out.println(client.get("/"));
            }
        }
    }
}
