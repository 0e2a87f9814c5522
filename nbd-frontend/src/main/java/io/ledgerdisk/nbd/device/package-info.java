/**
 * The SPI the NBD server serves: {@link io.ledgerdisk.nbd.device.BlockDevice} (non-blocking, future-based
 * block I/O with allocation queries), {@link io.ledgerdisk.nbd.device.ExportCatalog} (exports by name) and
 * the typed failure {@link io.ledgerdisk.nbd.device.BlockDeviceException}. Knows nothing of storage;
 * {@link io.ledgerdisk.nbd.device.MemoryBlockDevice} is a RAM implementation for tests and benchmarks.
 */
package io.ledgerdisk.nbd.device;
