package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jlb.core.LoadBalancer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many pipelined requests in one write (security issue item 13): each answered in order, whether the proxy refuses
 * it, answers it itself or forwards it, however many are waiting; none deepens the stack of the one before.
 */
@Timeout(60)
class PipeliningIT {
    private static final int REQUESTS = 2000;
    private static RawHttpBackend backend;
    private static LoadBalancer lb;
    private static HttpProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = RawHttpBackend.named("app");
        lb = LoadBalancer.builder().pool("app", p -> p.backend(backend.hostPort())).build();
        Authentication keys = Authentication.apiKeys().key("ops", "ops-key-0123456789").build();
        proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1)
                .routes(r -> r
                        .pathPrefix("/locked/").policies(p -> p.authentication(keys)).to("app")
                        .pathPrefix("/local/").respond(200, "local\n")
                        .defaultTo("app"))
                .build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        lb.close();
        backend.close();
    }

    private static void pipeline(String path, int status, String bodyPrefix) throws Exception {
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < REQUESTS; i++) {
            all.append("GET ").append(path).append(i).append(" HTTP/1.1\r\nHost: a\r\n\r\n");
        }
        try (RawClient c = new RawClient(proxy.address())) {
            c.send(all.toString());
            for (int i = 0; i < REQUESTS; i++) {
                RawClient.Response r = c.read();
                assertEquals(status, r.status(), "response " + i);
                if (bodyPrefix != null) {
                    assertEquals(bodyPrefix + i, r.text(), "in order");
                }
            }
            c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, c.read().status(), "the connection is still up");
        }
    }

    @Test
    void item13_thousandsOfPipelinedRefusalsAreAnsweredInOrder() throws Exception {
        pipeline("/locked/", 401, null);
    }

    @Test
    void item13_thousandsOfPipelinedLocalAnswers() throws Exception {
        pipeline("/local/", 200, null);
    }

    @Test
    void item13_thousandsOfPipelinedForwardedRequestsInOrder() throws Exception {
        pipeline("/fwd/", 200, "app GET /fwd/");
    }
}
