package org.calsync.emulator;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts a fresh emulator per test and offers blocking HTTP helpers (tests run off the event loop). */
abstract class EmulatorTestSupport {
  Vertx vertx;
  GoogleEmulator emu;
  WebClient client;

  @BeforeEach
  void startEmulator() throws Exception {
    vertx = Vertx.vertx();
    emu = GoogleEmulator.start(vertx, EmulatorOptions.defaults()).await(10, TimeUnit.SECONDS);
    client = WebClient.create(vertx);
  }

  @AfterEach
  void stopEmulator() throws Exception {
    client.close();
    emu.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  HttpResponse<Buffer> tokenRequest(MultiMap form) throws Exception {
    return client.postAbs(emu.baseUrl() + "/token").sendForm(form).await(10, TimeUnit.SECONDS);
  }

  MultiMap refreshForm(String refreshToken) {
    return MultiMap.caseInsensitiveMultiMap().add("grant_type", "refresh_token").add("client_id", "calsync-local")
      .add("client_secret", "calsync-local-secret").add("refresh_token", refreshToken);
  }

  /** Creates the user and returns a working access token. */
  String login(String email) throws Exception {
    emu.state().createUser(email);
    HttpResponse<Buffer> r = tokenRequest(refreshForm(emu.state().mintRefreshToken(email)));
    return r.bodyAsJsonObject().getString("access_token");
  }

  HttpRequest<Buffer> api(HttpMethod method, String token, String path) {
    HttpRequest<Buffer> r = client.requestAbs(method, emu.baseUrl() + "/calendar/v3/" + path);
    if (token != null) r.putHeader("Authorization", "Bearer " + token);
    return r;
  }

  HttpResponse<Buffer> send(HttpRequest<Buffer> r) throws Exception {
    return r.send().await(10, TimeUnit.SECONDS);
  }

  HttpResponse<Buffer> send(HttpRequest<Buffer> r, JsonObject body) throws Exception {
    return r.sendJsonObject(body).await(10, TimeUnit.SECONDS);
  }

  static List<String> ids(JsonArray items) {
    List<String> out = new ArrayList<>();
    items.forEach(o -> out.add(((JsonObject) o).getString("id")));
    return out;
  }

  static JsonObject timed(String summary, String start, String end) {
    return new JsonObject().put("summary", summary)
      .put("start", new JsonObject().put("dateTime", start).put("timeZone", "America/Toronto"))
      .put("end", new JsonObject().put("dateTime", end).put("timeZone", "America/Toronto"));
  }
}
