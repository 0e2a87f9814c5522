package io.ledgerdisk.chunk.manifest;

import io.ledgerdisk.chunk.extent.Extent;
import io.ledgerdisk.chunk.extent.ExtentMap;
import io.ledgerdisk.chunk.store.ChunkId;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The bytes of an encoded {@link Manifest} and of a {@link ManifestHead}: the single place that
 * knows these layouts. Integers are big-endian; "varint" is unsigned LEB128 (7 bits per byte,
 * low bits first, high bit set on all but the last byte).
 *
 * <pre>
 * Manifest
 *  +------------------------------------------+  0
 *  | magic "LDMF" (0x4C444D46)            u32 |
 *  | format version (1)                   u16 |  4
 *  | flags (0)                            u16 |  6
 *  | volume id                            u64 |  8
 *  | manifest version                     u64 |  16
 *  | covered sequence                     u64 |  24
 *  | created, micros since epoch (UTC)    u64 |  32
 *  | chunk count                          u32 |  40
 *  | extent count                         u32 |  44
 *  +------------------------------------------+  48
 *  | chunk table, chunk count times:          |
 *  |   id length u8, id (ASCII)               |
 *  |   file length u64, data blocks u64       |
 *  |   from sequence u64, to sequence u64     |
 *  +------------------------------------------+
 *  | extent table, extent count times,        |
 *  | in address order:                        |
 *  |   gap: first block - previous end varint |  (previous end starts at 0)
 *  |   block count                     varint |
 *  |   target: 0 = zeros, i+1 = chunk i varint|
 *  +------------------------------------------+
 *  | CRC32C of all bytes above            u32 |
 *  +------------------------------------------+
 *
 * Manifest head
 *  +------------------------------------------+  0
 *  | magic "LDMH" (0x4C444D48)            u32 |
 *  | format version (1)                   u16 |  4
 *  | flags (0)                            u16 |  6
 *  | volume id                            u64 |  8
 *  | manifest version                     u64 |  16
 *  | covered sequence                     u64 |  24
 *  | encoded manifest length              u64 |  32
 *  | encoded manifest CRC32C              u32 |  40
 *  | object id length u8, object id (ASCII)   |  44
 *  | CRC32C of all bytes above            u32 |
 *  +------------------------------------------+
 * </pre>
 *
 * <p>Why varints and chunk indexes: the extent table is the bulk of a manifest, and a typical
 * extent then costs 4 to 8 bytes instead of a 40-byte fixed record, so a 1 TiB volume folded
 * into 4 MiB chunks encodes in about 12 MiB (mostly the chunk table).
 *
 * <p>Readers refuse versions they do not know. Adding a field means a new version.
 */
public final class ManifestFormat {
    /** "LDMF": Ledgerdisk manifest. */
    public static final int MAGIC = 0x4C444D46;
    /** "LDMH": Ledgerdisk manifest head. */
    public static final int HEAD_MAGIC = 0x4C444D48;
    public static final short VERSION = 1;
    static final int HEADER_LENGTH = 48;

    private ManifestFormat() {
    }

    /** Encodes a manifest. */
    public static byte[] encode(Manifest manifest) {
        List<ChunkDescriptor> chunks = manifest.chunks();
        ExtentMap extents = manifest.extents();
        ByteArrayOutputStream out = new ByteArrayOutputStream(HEADER_LENGTH + chunks.size() * 64 + extents.size() * 6 + 4);
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH);
        header.putInt(MAGIC).putShort(VERSION).putShort((short) 0)
                .putLong(manifest.volumeId()).putLong(manifest.version())
                .putLong(manifest.coveredSequence()).putLong(manifest.createdMicros())
                .putInt(chunks.size()).putInt(extents.size());
        out.writeBytes(header.array());
        Map<ChunkId, Integer> ref = new HashMap<>();
        ByteBuffer chunk = ByteBuffer.allocate(1 + 128 + 32);
        for (ChunkDescriptor c : chunks) {
            ref.put(c.id(), ref.size() + 1);
            chunk.clear();
            putId(chunk, c.id());
            chunk.putLong(c.length()).putLong(c.dataBlocks()).putLong(c.fromSequence()).putLong(c.toSequence());
            out.write(chunk.array(), 0, chunk.position());
        }
        long[] previousEnd = {0};
        extents.forEach(e -> {
            writeVarint(out, e.firstBlock() - previousEnd[0]);
            writeVarint(out, e.blockCount());
            writeVarint(out, e.chunk() == null ? 0 : ref.get(e.chunk()));
            previousEnd[0] = e.endBlock();
        });
        byte[] body = out.toByteArray();
        byte[] result = java.util.Arrays.copyOf(body, body.length + 4);
        ByteBuffer.wrap(result).putInt(body.length, crc32c(body, 0, body.length));
        return result;
    }

    /**
     * Decodes a manifest.
     *
     * @throws CorruptManifestException if the bytes are not a valid version-1 manifest
     */
    public static Manifest decode(byte[] bytes) {
        if (bytes.length < HEADER_LENGTH + 4) {
            throw new CorruptManifestException("encoded manifest is " + bytes.length + " bytes, shorter than its header");
        }
        int body = bytes.length - 4;
        if (crc32c(bytes, 0, body) != ByteBuffer.wrap(bytes).getInt(body)) {
            throw new CorruptManifestException("encoded manifest (" + bytes.length + " bytes) fails its CRC32C check");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, body);
        try {
            checkMagicAndVersion(b, MAGIC, "manifest");
            long volumeId = b.getLong();
            long version = b.getLong();
            long covered = b.getLong();
            long created = b.getLong();
            int chunkCount = b.getInt();
            int extentCount = b.getInt();
            if (chunkCount < 0 || extentCount < 0) {
                throw new CorruptManifestException("manifest " + volumeId + "/" + version + " has negative counts");
            }
            List<ChunkDescriptor> chunks = new ArrayList<>(chunkCount);
            for (int i = 0; i < chunkCount; i++) {
                ChunkId id = getId(b);
                chunks.add(new ChunkDescriptor(id, b.getLong(), b.getLong(), b.getLong(), b.getLong()));
            }
            ExtentMap extents = new ExtentMap();
            long previousEnd = 0;
            for (int i = 0; i < extentCount; i++) {
                long first = previousEnd + readVarint(b);
                long count = readVarint(b);
                long target = readVarint(b);
                if (target > chunkCount) {
                    throw new CorruptManifestException("manifest " + volumeId + "/" + version + ": extent " + i
                            + " names chunk " + target + " of " + chunkCount);
                }
                extents.put(first, count, target == 0 ? null : chunks.get((int) target - 1).id());
                previousEnd = first + count;
            }
            if (b.hasRemaining()) {
                throw new CorruptManifestException("manifest " + volumeId + "/" + version + " has " + b.remaining()
                        + " unexpected bytes after its extent table");
            }
            return new Manifest(volumeId, version, chunks, extents, covered, created);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptManifestException("encoded manifest is truncated or inconsistent: " + e);
        }
    }

    /** Encodes a head that points at {@code encoded}, the bytes of a manifest stored as {@code objectId}. */
    public static ManifestHead headFor(Manifest manifest, ChunkId objectId, byte[] encoded) {
        int crc = ByteBuffer.wrap(encoded).getInt(encoded.length - 4);
        return new ManifestHead(manifest.volumeId(), manifest.version(), manifest.coveredSequence(), objectId,
                encoded.length, crc);
    }

    /** Encodes a manifest head. */
    public static byte[] encodeHead(ManifestHead head) {
        ByteBuffer b = ByteBuffer.allocate(44 + 1 + 128 + 4);
        b.putInt(HEAD_MAGIC).putShort(VERSION).putShort((short) 0)
                .putLong(head.volumeId()).putLong(head.version()).putLong(head.coveredSequence())
                .putLong(head.length()).putInt(head.crc32c());
        putId(b, head.objectId());
        int crc = crc32c(b.array(), 0, b.position());
        b.putInt(crc);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /**
     * Decodes a manifest head.
     *
     * @throws CorruptManifestException if the bytes are not a valid version-1 head
     */
    public static ManifestHead decodeHead(byte[] bytes) {
        if (bytes.length < 44 + 2 + 4 || crc32c(bytes, 0, bytes.length - 4)
                != ByteBuffer.wrap(bytes).getInt(bytes.length - 4)) {
            throw new CorruptManifestException("manifest head (" + bytes.length + " bytes) is truncated or fails its CRC32C");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, bytes.length - 4);
        try {
            checkMagicAndVersion(b, HEAD_MAGIC, "manifest head");
            long volumeId = b.getLong();
            long version = b.getLong();
            long covered = b.getLong();
            long length = b.getLong();
            int crc = b.getInt();
            ChunkId id = getId(b);
            return new ManifestHead(volumeId, version, covered, id, length, crc);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptManifestException("manifest head is inconsistent: " + e);
        }
    }

    private static void checkMagicAndVersion(ByteBuffer b, int magic, String what) {
        int m = b.getInt();
        if (m != magic) {
            throw new CorruptManifestException(String.format("not a %s: magic 0x%08x, expected 0x%08x", what, m, magic));
        }
        short v = b.getShort();
        if (v != VERSION) {
            throw new CorruptManifestException(what + " format version " + v + " is unknown (this build reads " + VERSION + ")");
        }
        b.getShort();
    }

    private static void putId(ByteBuffer b, ChunkId id) {
        byte[] name = id.value().getBytes(StandardCharsets.US_ASCII);
        b.put((byte) name.length).put(name);
    }

    private static ChunkId getId(ByteBuffer b) {
        int n = b.get() & 0xff;
        byte[] name = new byte[n];
        b.get(name);
        return new ChunkId(new String(name, StandardCharsets.US_ASCII));
    }

    static void writeVarint(ByteArrayOutputStream out, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("varint must not be negative: " + value);
        }
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    static long readVarint(ByteBuffer b) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b.get();
            value |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return value;
            }
        }
        throw new CorruptManifestException("varint longer than 10 bytes");
    }

    private static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
