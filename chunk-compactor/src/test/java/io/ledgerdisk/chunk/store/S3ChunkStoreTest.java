package io.ledgerdisk.chunk.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3ChunkStoreTest {

    private static S3Exception status(int code) {
        return (S3Exception) S3Exception.builder().statusCode(code).message("status " + code).build();
    }

    @Test
    void serverErrorsThrottlingAndIoErrorsAreRetriedClientErrorsAreNot() {
        assertTrue(S3ChunkStore.isTransient(status(500)));
        assertTrue(S3ChunkStore.isTransient(status(503)));
        assertTrue(S3ChunkStore.isTransient(status(429)));
        assertTrue(S3ChunkStore.isTransient(SdkClientException.create("connection refused")));
        assertTrue(S3ChunkStore.isTransient(new IOException("reset")));
        assertFalse(S3ChunkStore.isTransient(status(403)), "bad credentials do not heal by retrying");
        assertFalse(S3ChunkStore.isTransient(status(404)));
        assertFalse(S3ChunkStore.isTransient(status(416)));
        assertFalse(S3ChunkStore.isTransient(new IllegalArgumentException("bad range")));
    }
}
