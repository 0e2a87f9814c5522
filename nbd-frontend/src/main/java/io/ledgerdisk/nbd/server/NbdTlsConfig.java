package io.ledgerdisk.nbd.server;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS for NBD via {@code NBD_OPT_STARTTLS} (proto.md "TLS support").
 *
 * @param certificate PEM certificate chain of the server, or null when TLS is off
 * @param privateKey  PEM private key (PKCS#8 or PKCS#1) for the certificate, or null when TLS is off
 * @param required    FORCEDTLS mode: every option but {@code NBD_OPT_STARTTLS} and {@code NBD_OPT_ABORT} is
 *                    refused with {@code NBD_REP_ERR_TLS_REQD} until TLS is up; otherwise SELECTIVETLS-style
 *                    optional TLS for every export
 */
public record NbdTlsConfig(Path certificate, Path privateKey, boolean required) {

    private static final NbdTlsConfig DISABLED = new NbdTlsConfig(null, null, false);

    public NbdTlsConfig {
        if ((certificate == null) != (privateKey == null)) {
            throw new IllegalArgumentException("NBD TLS needs both a certificate and a private key");
        }
        if (certificate == null && required) {
            throw new IllegalArgumentException("NBD TLS cannot be required without a certificate and key");
        }
        if (certificate != null && !Files.isReadable(certificate)) {
            throw new IllegalArgumentException("NBD TLS certificate " + certificate + " is not a readable file");
        }
        if (privateKey != null && !Files.isReadable(privateKey)) {
            throw new IllegalArgumentException("NBD TLS private key " + privateKey + " is not a readable file");
        }
    }

    /** No TLS: {@code NBD_OPT_STARTTLS} is answered with {@code NBD_REP_ERR_UNSUP}. */
    public static NbdTlsConfig disabled() {
        return DISABLED;
    }

    /** TLS offered (optional or required) with the given PEM files. */
    public static NbdTlsConfig of(Path certificate, Path privateKey, boolean required) {
        return new NbdTlsConfig(certificate, privateKey, required);
    }

    public boolean enabled() {
        return certificate != null;
    }
}
