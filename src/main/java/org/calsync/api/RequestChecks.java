package org.calsync.api;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the OpenAPI validator lets through but the API refuses (a platform handler, so it runs before the body is
 * read): query parameters the operation does not declare or given twice (400 naming the parameter: a misspelt
 * {@code fresh} must not silently give a stale answer), a body in a charset other than UTF-8 (415 naming Content-Type), and an Accept header
 * that rules out JSON (406). The matched operation is stored on the context under {@link #OPERATION}.
 */
final class RequestChecks implements PlatformHandler {
  static final String OPERATION = "calsync.operation";
  private final OpenAPIContract contract;
  private final Map<String, Set<String>> queryNames = new HashMap<>();

  RequestChecks(OpenAPIContract contract) {
    this.contract = contract;
    contract.getPaths().forEach(path -> path.getOperations().forEach(op -> queryNames.put(op.getOperationId(),
        op.getParameters().stream().filter(p -> p.getIn() == Location.QUERY).map(Parameter::getName).collect(Collectors.toSet()))));
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Operation op = contract.findOperation(ctx.normalizedPath(), request.method());
    if (op == null) {
      ctx.next(); // the router answers 404/405
      return;
    }
    ctx.put(OPERATION, op);
    Set<String> known = queryNames.get(op.getOperationId());
    MultiMap query = ctx.queryParams();
    for (String name : query.names()) {
      if (!known.contains(name)) {
        Problems.send(ctx, 400, "BAD_REQUEST", "unknown query parameter '" + name + "'; this operation takes "
            + (known.isEmpty() ? "none" : known.stream().sorted().collect(Collectors.joining(", "))), name);
        return;
      }
      if (query.getAll(name).size() > 1) {
        Problems.send(ctx, 400, "BAD_REQUEST", "query parameter '" + name + "' is given more than once", name);
        return;
      }
    }
    String charset = charset(request.getHeader(HttpHeaders.CONTENT_TYPE));
    if (charset != null && !charset.equalsIgnoreCase("utf-8")) {
      Problems.send(ctx, 415, "UNSUPPORTED_MEDIA_TYPE", "bodies are JSON in UTF-8; got charset '" + charset + "'", "Content-Type");
      return;
    }
    if (!acceptsJson(request.getHeader(HttpHeaders.ACCEPT))) {
      Problems.send(ctx, 406, "NOT_ACCEPTABLE", "answers are application/json or application/problem+json; the Accept "
          + "header rules both out", "Accept");
      return;
    }
    ctx.next();
  }

  /** The charset parameter of a Content-Type, or null. */
  static String charset(String contentType) {
    if (contentType == null) return null;
    for (String part : contentType.split(";")) {
      String p = part.trim();
      if (p.regionMatches(true, 0, "charset=", 0, 8)) return p.substring(8).replace("\"", "").trim();
    }
    return null;
  }

  /** True without an Accept header or when one of its media ranges matches application/json or problem+json. */
  static boolean acceptsJson(String accept) {
    if (accept == null || accept.isBlank()) return true;
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].trim().toLowerCase();
      boolean refused = false;
      for (int i = 1; i < parts.length; i++) {
        String q = parts[i].trim().replace(" ", "");
        if (q.startsWith("q=") && q.substring(2).matches("0(\\.0*)?")) refused = true;
      }
      if (refused) continue;
      if (type.equals("*/*") || type.equals("application/*") || type.equals("application/json")
          || type.equals(Problems.MEDIA_TYPE)) return true;
    }
    return false;
  }
}
