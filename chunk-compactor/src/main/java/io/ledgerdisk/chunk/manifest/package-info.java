/**
 * Manifests: versions of a volume's folded state, their byte format
 * ({@link io.ledgerdisk.chunk.manifest.ManifestFormat}), storage as objects behind a small
 * head, and reading a volume's blocks through a manifest
 * ({@link io.ledgerdisk.chunk.manifest.ManifestReader}).
 */
package io.ledgerdisk.chunk.manifest;
