package io.ledgerdisk.web.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static PoolRequest parse(String json) throws Exception {
        return PoolRequest.fromJson(JSON.readTree(json));
    }

    @Test
    void absentFieldsStayAbsentForTheNodeToDefault() throws Exception {
        PoolRequest request = parse("{\"name\": \"p\"}");
        assertEquals("p", request.name());
        assertNull(request.pgCount());
        assertNull(request.durability());
        assertNull(request.retentionSeconds());
        assertEquals(new PoolRequest.Redundancy(1, 1, 1), request.redundancy(1));
        assertEquals(new PoolRequest.Redundancy(3, 3, 2), request.redundancy(3));
    }

    @Test
    void replicasAreAShorthandThatExplicitQuorumsOverride() throws Exception {
        assertEquals(new PoolRequest.Redundancy(3, 3, 2), parse("{\"name\": \"p\", \"replicas\": 3}").redundancy(1));
        assertEquals(new PoolRequest.Redundancy(5, 5, 3), parse("{\"name\": \"p\", \"replicas\": 5}").redundancy(1));
        assertEquals(new PoolRequest.Redundancy(2, 2, 2), parse("{\"name\": \"p\", \"replicas\": 2}").redundancy(1));
        assertEquals(new PoolRequest.Redundancy(5, 3, 2),
                parse("{\"name\": \"p\", \"replicas\": 3, \"ensemble\": 5}").redundancy(1));
        assertEquals(new PoolRequest.Redundancy(3, 3, 3),
                parse("{\"name\": \"p\", \"replicas\": 3, \"ackQuorum\": 3}").redundancy(1));
        assertEquals(new PoolRequest.Redundancy(4, 4, 3), parse("{\"name\": \"p\", \"ensemble\": 4}").redundancy(1));
    }

    @Test
    void readsEveryField() throws Exception {
        PoolRequest request = parse("{\"name\": \"cold\", \"pgCount\": 128, \"durability\": \"Lazy\", \"failureDomain\": \"rack\","
                + " \"tier\": \"S3\", \"bucket\": \"chunks\", \"retention\": 3600}");
        assertEquals(128, request.pgCount());
        assertEquals("lazy", request.durability());
        assertEquals("rack", request.failureDomain());
        assertEquals("s3", request.tier());
        assertEquals("chunks", request.bucket());
        assertEquals(3600L, request.retentionSeconds());
        assertEquals(0L, parse("{\"name\": \"p\", \"retention\": \"0\"}").retentionSeconds());
    }

    @Test
    void refusesMalformedFieldsNamingThem() {
        for (String[] bad : List.of(
                new String[] {"{}", "\"name\""},
                new String[] {"{\"name\": 7}", "\"name\""},
                new String[] {"{\"name\": \"p\", \"pgCount\": 0}", "\"pgCount\""},
                new String[] {"{\"name\": \"p\", \"pgCount\": 1.5}", "\"pgCount\""},
                new String[] {"{\"name\": \"p\", \"replicas\": \"3\"}", "\"replicas\""},
                new String[] {"{\"name\": \"p\", \"durability\": \"fast\"}", "immediate, lazy"},
                new String[] {"{\"name\": \"p\", \"tier\": \"tape\"}", "local, s3"},
                new String[] {"{\"name\": \"p\", \"bucket\": \"\"}", "\"bucket\""},
                new String[] {"{\"name\": \"p\", \"retention\": -1}", "\"retention\""},
                new String[] {"{\"name\": \"p\", \"retention\": \"1y\"}", "not a period"},
                new String[] {"{\"name\": \"p\", \"pg_count\": 1}", "unknown field \"pg_count\""})) {
            ApiError e = assertThrows(ApiError.class, () -> parse(bad[0]), bad[0]);
            assertEquals(ApiError.Kind.BAD_REQUEST, e.kind());
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + " -> " + e.getMessage());
        }
    }
}
