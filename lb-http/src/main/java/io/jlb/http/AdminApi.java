package io.jlb.http;

import io.jlb.core.Backend;
import io.jlb.core.LoadBalancer;
import io.jlb.core.Member;
import io.jlb.core.Pool;
import io.jlb.http.internal.Json;
import io.jlb.nio.ServerTls;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The admin API under {@code /admin/}: backends added, removed, drained, re-weighted, marked up or down at run
 * time; TLS certificates read again. Answers JSON: the pool or backend as it now is, or {@code {"error": ...}}.
 */
final class AdminApi {
    private final LoadBalancer lb;
    private final AdminListeners listeners;
    private final AdminStatus status;

    AdminApi(LoadBalancer lb, AdminListeners listeners, AdminStatus status) {
        this.lb = lb;
        this.listeners = listeners;
        this.status = status;
    }

    /**
     * {@code POST /admin/pools/P/backends} (JSON: address, weight, name, backup, zone);
     * {@code DELETE /admin/pools/P/backends/B[?drain=true]}; {@code POST .../B/drain}, {@code .../B/undrain},
     * {@code .../B/up}, {@code .../B/down} (JSON: reason); {@code PUT .../B/weight} (JSON: weight).
     */
    Reply handle(Request request) {
        String[] parts = request.path().substring(1).split("/", -1);
        if (request.path().equals("/admin/tls/reload")) {
            return request.method().equals("POST") ? reloadTls() : error(405, "use POST");
        }
        // admin, pools, P, backends, [B, [action]]
        if (parts.length < 3 || !parts[1].equals("pools")) {
            return error(404, "unknown admin path " + request.path());
        }
        Pool pool = lb.findPool(decode(parts[2])).orElse(null);
        if (pool == null) {
            return error(404, "no pool named '" + decode(parts[2]) + "'");
        }
        if (parts.length == 3) {
            return request.method().equals("GET") ? Reply.json(200, poolJson(pool)) : error(405, "use GET");
        }
        if (!parts[3].equals("backends")) {
            return error(404, "unknown admin path " + request.path());
        }
        try {
            if (parts.length == 4) {
                return switch (request.method()) {
                    case "GET" -> Reply.json(200, poolJson(pool));
                    case "POST" -> addBackend(pool, request);
                    default -> error(405, "use GET or POST");
                };
            }
            String name = decode(parts[4]);
            if (pool.member(name).isEmpty()) {
                return error(404, "pool '" + pool.name() + "' has no backend named '" + name + "'");
            }
            String action = parts.length > 5 ? parts[5] : "";
            return switch (request.method() + " " + action) {
                case "GET " -> Reply.json(200, memberJson(pool.member(name).orElseThrow()));
                case "DELETE " -> remove(pool, name, "true".equals(request.queryParameter("drain")));
                case "POST drain" -> {
                    pool.drain(name);
                    yield Reply.json(200, memberJson(pool.member(name).orElseThrow()));
                }
                case "POST undrain" -> Reply.json(200, memberJson(pool.undrain(name)));
                case "POST up" -> Reply.json(200, memberJson(pool.markUp(name, reason(request, "marked up by an operator"))));
                case "POST down" -> Reply.json(200, memberJson(pool.markDown(name, reason(request, "marked down by an operator"))));
                case "PUT weight", "POST weight" -> Reply.json(200, memberJson(pool.reweight(name, weight(request))));
                default -> error(405, "unknown action '" + request.method() + " " + action + "' (expected: GET, DELETE, "
                        + "POST drain|undrain|up|down, PUT weight)");
            };
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        }
    }

    /** {@code POST /admin/tls/reload}: every TLS listener reads its certificate files again. */
    private Reply reloadTls() {
        Json j = new Json().beginObject().key("reloaded").beginArray();
        for (AdminListeners.Named w : listeners.all()) {
            ServerTls tls = w.listener().tls();
            if (tls == null) {
                continue;
            }
            try {
                tls.reload();
            } catch (java.io.UncheckedIOException e) {
                return error(500, "listener '" + w.name() + "': " + e.getCause().getMessage() + " (its old certificates stay)");
            }
            j.beginObject().field("listener", w.name()).key("certificates").beginArray();
            for (List<String> names : tls.certificateNames()) {
                j.value(String.join(" ", names));
            }
            j.endArray().endObject();
        }
        return Reply.json(200, j.endArray().endObject().toString());
    }

    private Reply addBackend(Pool pool, Request request) {
        Map<String, Object> body = Json.readObject(request.bodyText().isBlank() ? "{}" : request.bodyText());
        Object address = body.get("address");
        if (!(address instanceof String a)) {
            return error(400, "address: missing (expected: \"host:port\")");
        }
        Backend b = Backend.parse(a);
        if (body.get("weight") instanceof Long w) {
            b = b.withWeight(Math.toIntExact(w));
        } else if (body.containsKey("weight")) {
            return error(400, "weight: " + body.get("weight") + " (expected: a whole number from 1 to " + Backend.MAX_WEIGHT + ")");
        }
        if (body.get("name") instanceof String n) {
            b = b.withName(n);
        }
        if (Boolean.TRUE.equals(body.get("backup"))) {
            b = b.withBackup(true);
        }
        if (body.get("zone") instanceof String z) {
            b = b.withMetadata("zone", z);
        }
        for (String key : body.keySet()) {
            if (!List.of("address", "weight", "name", "backup", "zone").contains(key)) {
                return error(400, "unknown key '" + key + "' (expected: address, weight, name, backup, zone)");
            }
        }
        if (pool.member(b.name()).isPresent()) {
            return error(409, "pool '" + pool.name() + "' already has a backend named '" + b.name() + "'");
        }
        return Reply.json(201, memberJson(pool.add(b)));
    }

    private Reply remove(Pool pool, String name, boolean drainFirst) {
        if (!drainFirst) {
            pool.remove(name);
            return Reply.json(200, "{\"removed\":\"" + name.replace("\"", "") + "\"}");
        }
        pool.drain(name).thenRun(() -> pool.remove(name));
        return Reply.json(202, "{\"draining\":\"" + name.replace("\"", "") + "\",\"removedWhenIdle\":true}");
    }

    private static String reason(Request request, String fallback) {
        if (request.bodyText().isBlank()) {
            return fallback;
        }
        Object r = Json.readObject(request.bodyText()).get("reason");
        return r instanceof String s && !s.isBlank() ? s : fallback;
    }

    private static int weight(Request request) {
        String text = request.bodyText().trim();
        Object w = text.startsWith("{") ? Json.readObject(text).get("weight") : text;
        try {
            return w instanceof Long l ? Math.toIntExact(l) : Integer.parseInt(String.valueOf(w));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("weight: " + w + " (expected: a whole number from 1 to " + Backend.MAX_WEIGHT + ")");
        }
    }

    private String poolJson(Pool pool) {
        return status.pool(pool);
    }

    private String memberJson(Member m) {
        return status.member(m);
    }

    static Reply error(int status, String message) {
        return Reply.json(status, new Json().beginObject().field("error", message).endObject().toString());
    }

    /** Percent-decodes a path segment ({@code %5B%3A%3A1%5D%3A80} for {@code [::1]:80}); '+' stays '+'. */
    private static String decode(String segment) {
        byte[] bytes = segment.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length) {
                try {
                    out.write(Integer.parseInt(new String(bytes, i + 1, 2, StandardCharsets.US_ASCII), 16));
                    i += 2;
                    continue;
                } catch (NumberFormatException e) {
                    // keep the bytes as they are
                }
            }
            out.write(bytes[i]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
