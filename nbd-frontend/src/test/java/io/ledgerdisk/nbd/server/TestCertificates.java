package io.ledgerdisk.nbd.server;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** A throw-away self-signed certificate made with openssl, and a client context that trusts anything. */
final class TestCertificates {

    private TestCertificates() {
    }

    /** Writes cert.pem and key.pem (PKCS#8) for CN=localhost into dir; returns the TLS settings. */
    static NbdTlsConfig selfSigned(Path dir, boolean required) throws Exception {
        Path certificate = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        ExternalCommand.succeed(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", certificate.toString(), "-days", "2",
                "-subj", "/CN=localhost"), 60);
        return NbdTlsConfig.of(certificate, key, required);
    }

    /** A client context that accepts the self-signed server certificate. */
    static SSLContext trustingClientContext() throws Exception {
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustAll}, null);
        return context;
    }
}
