package io.jlb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.http.Policies;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The command line and the file write a policy's settings two ways; the table reads both into the same policy. */
class PolicyTableTest {
    /** The policy an option value gives. */
    private static Policies fromOption(String key, String value) {
        PolicyTable.Row row = PolicyTable.byKey(key);
        return Policies.of(b -> row.parse(row.fromOption(value)).accept(b));
    }

    /** The policy a file's value (YAML flow text) gives. */
    private static Policies fromFile(String key, String yaml) {
        YamlNode node = YamlNode.parse("lb.yaml", "{" + key + ": " + yaml + "}");
        return YamlPolicies.read(node, Path::of);
    }

    @ParameterizedTest(name = "{0}: {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "sticky|SRV,path=/app,max-age=1h,secure,same-site=Strict|{cookie: SRV, path: /app, max-age: 1h, secure: true, same-site: Strict}",
        "sticky|SRV|SRV",
        "rate-limit|100/s,burst=200,key=header:X-Api,max-keys=5000|{rate: 100, per: 1s, burst: 200, key: 'header:X-Api', max-keys: 5000}",
        "rate-limit|1000/1m,key=identity|{rate: 1000/1m, key: identity}",
        "rate-limit|10/s|10/s",
        "auth-failure-limit|5/1m,burst=10|{rate: 5, per: 1m, burst: 10}",
        "retries|3,on=502+503,budget=20,max-buffered-body=64k,min-concurrent=2|{attempts: 3, on: [502, 503], budget: 20, max-buffered-body: 64k, min-concurrent: 2}",
        "retries|2|2",
        "circuit-breaker|max=10,queue=5,queue-timeout=2s|{max-requests-per-backend: 10, queue: 5, queue-timeout: 2s}",
        "hash-by|header:X-User|'header:X-User'",
        "upgrades|websocket,other|[websocket, other]",
        "upgrades|none|none",
        "request-id|true|true",
        "trust-request-id|true|true",
        "security-headers|true|true",
        "compression|true|true",
    })
    void theOptionAndTheFileGiveTheSamePolicy(String key, String option, String yaml) {
        Policies a = fromOption(key, option);
        Policies b = fromFile(key, yaml);
        assertEquals(a.toString(), b.toString());
        assertTrue(a.toString().length() > "Policies[]".length(), a.toString());
    }

    @Test
    void falseTurnsAPolicyOff() {
        assertNull(fromFile("compression", "false"));
        assertNull(fromFile("security-headers", "false"));
        assertNull(fromFile("request-id", "false"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "retries|{attempts: 3, on: [404]}|lb.yaml:1: retries.on: '404' (expected: a whole number from 500 to 599)",
        "retries|{attempts: 3, tries: 2}|lb.yaml:1: retries: unknown option 'tries' (expected: attempts, budget, max-buffered-body, min-concurrent, on)",
        "rate-limit|{rate: 100/s, per: 1m}|lb.yaml:1: rate-limit.per: the period is given twice (as 100/s and per: 1m)",
        "circuit-breaker|{queue: 3}|lb.yaml:1: circuit-breaker: 'max=N' (max-requests-per-backend) is required: requests in flight per backend",
        "sticky|{path: /}|lb.yaml:1: sticky: 'cookie' is required",
        "auth|{type: oauth}|lb.yaml:1: auth.type: 'oauth' (expected: api-key, basic or jwt)",
        "hash-by|'ip:x'|lb.yaml:1: hash-by key: 'ip:x' (expected: header:NAME, cookie:NAME or query:NAME)",
    })
    void mistakesInTheFileNameTheirLineAndKey(String key, String yaml, String message) {
        assertEquals(message, assertThrows(UsageException.class, () -> fromFile(key, yaml)).getMessage());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "retries|3,on=404|--retries on: '404' (expected: a whole number from 500 to 599)",
        "rate-limit|100/s,brust=5|--rate-limit: unknown option 'brust' (expected: burst, key, max-keys, per, rate)",
        "circuit-breaker|queue=3|--circuit-breaker: 'max=N' (max-requests-per-backend) is required: requests in flight per backend",
    })
    void mistakesOnTheCommandLineNameTheOption(String key, String option, String message) {
        assertEquals(message, assertThrows(UsageException.class, () -> fromOption(key, option)).getMessage());
    }

    @Test
    void everyPolicyHasAnOptionAndAKey() {
        List<String> keys = PolicyTable.keys();
        assertEquals(keys.size(), keys.stream().distinct().count());
        assertEquals(PolicyTable.ROWS.size() + 1, PolicyTable.options().size(), "each row's option, and --csp");
    }
}
