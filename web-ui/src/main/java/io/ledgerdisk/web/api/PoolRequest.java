package io.ledgerdisk.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * A request to create a pool ({@code POST /api/v1/pools}). Every field but {@code name} may be
 * absent; the node then applies its defaults ({@link #redundancy}). The metadata group checks
 * the rules between fields (e.g. {@code Qa <= Qw <= E}, a bucket exactly for the S3 tier).
 *
 * <pre>
 *   {"name": "fast", "pgCount": 64, "replicas": 3, "ensemble": 3, "writeQuorum": 3, "ackQuorum": 2,
 *    "durability": "immediate", "failureDomain": "host", "tier": "s3", "bucket": "chunks", "retention": "24h"}
 * </pre>
 *
 * @param name             the pool name
 * @param pgCount          number of PGs, or null for {@link #DEFAULT_PG_COUNT}
 * @param replicas         shorthand: E = Qw = replicas and Qa a majority of them; or null
 * @param ensemble         E, overriding {@code replicas}; or null
 * @param writeQuorum      Qw, overriding {@code replicas}; or null
 * @param ackQuorum        Qa, overriding the majority; or null
 * @param durability       {@code immediate} or {@code lazy}, or null for the node's
 * @param failureDomain    the failure-domain level, or null for {@code host}
 * @param tier             {@code local} or {@code s3}, or null for {@code local}
 * @param bucket           the S3 bucket, or null
 * @param retentionSeconds restore window in seconds, or null for {@link #DEFAULT_RETENTION_SECONDS}
 */
public record PoolRequest(String name, Integer pgCount, Integer replicas, Integer ensemble, Integer writeQuorum,
                          Integer ackQuorum, String durability, String failureDomain, String tier, String bucket,
                          Long retentionSeconds) {

    /** PGs of a pool created without {@code pgCount}. */
    public static final int DEFAULT_PG_COUNT = 64;
    /** Failure-domain level of a pool created without {@code failureDomain}. */
    public static final String DEFAULT_FAILURE_DOMAIN = "host";
    /** Retention of a pool created without {@code retention}: one day. */
    public static final long DEFAULT_RETENTION_SECONDS = 86_400;

    private static final Set<String> FIELDS = Set.of("name", "pgCount", "replicas", "ensemble", "writeQuorum", "ackQuorum",
            "durability", "failureDomain", "tier", "bucket", "retention");
    private static final Set<String> DURABILITIES = Set.of("immediate", "lazy");
    private static final Set<String> TIERS = Set.of("local", "s3");

    /**
     * Redundancy of a pool: ensemble E, write quorum Qw, ack quorum Qa.
     *
     * @param ensemble    E
     * @param writeQuorum Qw
     * @param ackQuorum   Qa
     */
    public record Redundancy(int ensemble, int writeQuorum, int ackQuorum) {
    }

    /**
     * Reads a request body.
     *
     * @throws ApiError {@link ApiError.Kind#BAD_REQUEST} naming the field that is missing, unknown or of the wrong type
     */
    public static PoolRequest fromJson(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw bad("body must be a JSON object like {\"name\": \"fast\", \"replicas\": 3}");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw bad("unknown field \"" + field + "\"; pools take " + String.join(", ", FIELDS.stream().sorted().toList()));
            }
        }
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual()) {
            throw bad("\"name\" is missing or not a string");
        }
        return new PoolRequest(name.asText(), positive(body, "pgCount"), positive(body, "replicas"), positive(body, "ensemble"),
                positive(body, "writeQuorum"), positive(body, "ackQuorum"), choice(body, "durability", DURABILITIES),
                text(body, "failureDomain"), choice(body, "tier", TIERS), text(body, "bucket"), retention(body));
    }

    /**
     * The redundancy this request asks for: {@code E = ensemble ?? replicas ?? defaultEnsemble},
     * {@code Qw = writeQuorum ?? replicas ?? E}, {@code Qa = ackQuorum ?? Qw / 2 + 1} (a majority).
     */
    public Redundancy redundancy(int defaultEnsemble) {
        int e = ensemble != null ? ensemble : replicas != null ? replicas : defaultEnsemble;
        int qw = writeQuorum != null ? writeQuorum : replicas != null ? replicas : e;
        int qa = ackQuorum != null ? ackQuorum : qw / 2 + 1;
        return new Redundancy(e, qw, qa);
    }

    private static Integer positive(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 1) {
            throw bad("\"" + field + "\" must be a positive whole number, got " + value);
        }
        return value.asInt();
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw bad("\"" + field + "\" must be a non-empty string, got " + value);
        }
        return value.asText();
    }

    private static String choice(JsonNode body, String field, Set<String> allowed) {
        String value = text(body, field);
        if (value == null) {
            return null;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if (!allowed.contains(lower)) {
            throw bad("\"" + field + "\" must be one of " + String.join(", ", allowed.stream().sorted().toList()) + ", got '"
                    + value + "'");
        }
        return lower;
    }

    private static Long retention(JsonNode body) {
        JsonNode value = body.get("retention");
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber() && value.canConvertToLong() && value.asLong() >= 0
                && value.asLong() <= DurationText.MAX_SECONDS) {
            return value.asLong();
        }
        if (!value.isTextual()) {
            throw bad("\"retention\" must be a period like \"24h\" or a number of seconds, got " + value);
        }
        try {
            return DurationText.parseSeconds(value.asText());
        } catch (IllegalArgumentException e) {
            throw bad("\"retention\": " + e.getMessage());
        }
    }

    private static ApiError bad(String message) {
        return new ApiError(ApiError.Kind.BAD_REQUEST, message);
    }
}
