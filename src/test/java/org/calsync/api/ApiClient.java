package org.calsync.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A plain HTTP client (java.net.http, not Vert.x's) for the EMR API. Every answer is checked against the contract
 * (vertx-openapi's ResponseValidator) for the operation the test names, so the contract and the code cannot drift.
 */
final class ApiClient {
  /** An answer: status, content type and the body (JSON object, or null when empty). */
  record Answer(int status, String contentType, JsonObject json, Map<String, String> headers) {
    String code() {
      return json.getString("code");
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private final ResponseValidator validator;
  String key;

  ApiClient(Vertx vertx, int port) {
    this.base = "http://127.0.0.1:" + port;
    this.validator = ResponseValidator.create(vertx, ApiContract.load(vertx).await().validated());
  }

  Answer get(String operationId, String path) {
    return send(operationId, HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  Answer delete(String operationId, String path) {
    return send(operationId, HttpRequest.newBuilder(URI.create(base + path)).DELETE());
  }

  Answer post(String operationId, String path) {
    return send(operationId, HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  Answer post(String operationId, String path, JsonObject body) {
    return send(operationId, HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  Answer put(String operationId, String path, JsonObject body) {
    return put(operationId, path, body.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
  }

  Answer put(String operationId, String path, byte[] body, String contentType) {
    return send(operationId, HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  Answer patch(String operationId, String path, JsonObject body) {
    return send(operationId, HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  /** A request to a path of the API, to finish (headers, method) and {@link #send}. */
  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path));
  }

  Answer send(String operationId, HttpRequest.Builder request) {
    if (key != null) request.header("Authorization", "Bearer " + key);
    HttpResponse<byte[]> r;
    try {
      r = http.send(request.timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (Exception e) {
      throw new AssertionError("request failed: " + e, e);
    }
    String type = r.headers().firstValue("Content-Type").orElse(null);
    Map<String, String> headers = new HashMap<>();
    r.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
    JsonObject json = r.body().length == 0 ? null : new JsonObject(Buffer.buffer(r.body()));
    if (r.statusCode() >= 400) checkProblem(r.statusCode(), type, json);
    if (operationId != null) {
      // problem bodies are checked against the contract's Problem schema (see ApiContract on their media type)
      String checkedAs = "application/problem+json".equals(type) ? "application/json" : type;
      validator.validate(ValidatableResponse.create(r.statusCode(), Map.of(), Buffer.buffer(r.body()), checkedAs), operationId).await();
    }
    return new Answer(r.statusCode(), type, json, headers);
  }

  /** Every refusal is an RFC 9457 problem with its status and a code (and the contract's Problem shape). */
  void checkProblem(int status, String type, JsonObject json) {
    assertThat(type).as("problem content type").isEqualTo("application/problem+json");
    assertThat(json.getInteger("status")).isEqualTo(status);
    assertThat(json.getString("code")).isNotBlank();
    validator.validate(ValidatableResponse.create(status, Map.of(), json.toBuffer(), "application/json"), "putAppointment").await();
  }
}
