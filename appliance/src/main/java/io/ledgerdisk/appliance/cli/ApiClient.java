package io.ledgerdisk.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The CLI's blocking client of a node's REST API ({@code --api URL}). */
public final class ApiClient {

    public static final String DEFAULT_API = "http://127.0.0.1:8080";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ApiClient(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        try {
            URI.create(this.base + "/api/v1");
        } catch (IllegalArgumentException e) {
            throw new UsageException("--api '" + base + "' is not a URL like " + DEFAULT_API);
        }
    }

    /** Sends a request and returns the JSON answer (null for 204); a 4xx/5xx becomes a CommandFailedException with the node's message. */
    public JsonNode call(String method, String path, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5));
        if (body != null) {
            request.header("content-type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CommandFailedException("cannot reach the node at " + base + " (is `bin/ledgerdisk dev` running? use --api URL)", e);
        } catch (IOException e) {
            throw new CommandFailedException("request to " + base + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailedException("interrupted", e);
        }
        JsonNode answer = parse(response.body());
        if (response.statusCode() >= 400) {
            String message = answer != null && answer.hasNonNull("message") ? answer.get("message").asText() : response.body();
            throw new CommandFailedException(message + " (HTTP " + response.statusCode() + ")");
        }
        return answer;
    }

    /** A name as one path segment of a URL, e.g. {@code /api/v1/pools/} + segment(name). */
    static String segment(String name) {
        return java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    static ObjectMapper json() {
        return JSON;
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
