package io.jlb.http;

import java.util.List;

/** The compiled routing table: the first route whose conditions hold wins; null when none does. Immutable. */
final class Router {
    private final Route[] routes;

    Router(List<Route> routes) {
        this.routes = routes.toArray(new Route[0]);
    }

    Route route(RequestView request) {
        for (Route r : routes) {
            if (r.matches(request)) {
                return r;
            }
        }
        return null;
    }

    List<Route> routes() {
        return List.of(routes);
    }
}
