package org.calsync.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;

/**
 * The OpenAPI 3.1 contract {@value #PATH} (on the classpath), as served at /v1/openapi.json and as given to
 * vertx-openapi. vertx-openapi 5.0 accepts only a fixed list of media types, not RFC 9457's
 * {@code application/problem+json}; its copy therefore describes problem bodies as {@code application/json} (same
 * schema). Clients see the file unchanged.
 */
public record ApiContract(JsonObject served, OpenAPIContract validated) {
  public static final String PATH = "openapi/calsync-v1.json";

  public static Future<ApiContract> load(Vertx vertx) {
    return vertx.fileSystem().readFile(PATH).compose(buffer -> {
      JsonObject served = buffer.toJsonObject();
      String forValidator = served.encode().replace("\"" + Problems.MEDIA_TYPE + "\"", "\"application/json\"");
      return OpenAPIContract.from(vertx, new JsonObject(forValidator)).map(c -> new ApiContract(served, c));
    });
  }
}
