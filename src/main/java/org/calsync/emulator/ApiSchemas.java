package org.calsync.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The Calendar API's methods and schemas, read from Google's discovery document (shared/google source D, copied as
 * {@code calendar-v3-discovery.json} next to this class). Names requests for stats, gives the response schema
 * a {@code fields} selection is checked against and the scopes an access token needs for each method.
 */
final class ApiSchemas {
  /**
   * One method: its id without the "calendar." prefix (e.g. "events.list"), its response schema (null = no body) and
   * the OAuth scopes it accepts (any one of them suffices; empty = no scope needed).
   */
  record Method(String id, String response, List<String> scopes) {
    /** Whether a token granted {@code granted} may call this method. */
    boolean allows(Set<String> granted) {
      return scopes.isEmpty() || scopes.stream().anyMatch(granted::contains);
    }
  }

  private record Entry(String httpMethod, String[] segments, Method method) {}

  private static final ApiSchemas INSTANCE = load();

  private final JsonObject schemas;
  private final List<Entry> methods;

  private ApiSchemas(JsonObject discovery) {
    this.schemas = discovery.getJsonObject("schemas");
    List<Entry> all = new ArrayList<>();
    collect(discovery.getJsonObject("resources"), all);
    // literal segments first, so "events/watch" wins over "events/{eventId}"
    all.sort(Comparator.comparingLong(e -> -Arrays.stream(e.segments()).filter(s -> !s.startsWith("{")).count()));
    this.methods = List.copyOf(all);
  }

  static ApiSchemas get() {
    return INSTANCE;
  }

  private static ApiSchemas load() {
    try (InputStream in = ApiSchemas.class.getResourceAsStream("calendar-v3-discovery.json")) {
      if (in == null) throw new IllegalStateException("calendar-v3-discovery.json missing from the classpath");
      return new ApiSchemas(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void collect(JsonObject resources, List<Entry> out) {
    if (resources == null) return;
    for (String name : resources.fieldNames()) {
      JsonObject resource = resources.getJsonObject(name);
      JsonObject ms = resource.getJsonObject("methods", new JsonObject());
      for (String m : ms.fieldNames()) {
        JsonObject method = ms.getJsonObject(m);
        JsonObject response = method.getJsonObject("response");
        String id = method.getString("id").substring("calendar.".length());
        out.add(new Entry(method.getString("httpMethod"), method.getString("path").split("/"),
          new Method(id, response == null ? null : response.getString("$ref"),
            method.getJsonArray("scopes", new JsonArray()).stream().map(String::valueOf).toList())));
      }
      collect(resource.getJsonObject("resources"), out);
    }
  }

  /** The method serving {@code httpMethod} on {@code path} (relative to /calendar/v3/, still URL-encoded), or null. */
  Method method(String httpMethod, String path) {
    String[] parts = path.split("/", -1);
    for (Entry e : methods) {
      if (e.httpMethod().equals(httpMethod) && matches(e.segments(), parts)) return e.method();
    }
    return null;
  }

  private static boolean matches(String[] template, String[] parts) {
    if (template.length != parts.length) return false;
    for (int i = 0; i < template.length; i++) {
      if (parts[i].isEmpty()) return false;
      if (!template[i].startsWith("{") && !template[i].equals(parts[i])) return false;
    }
    return true;
  }

  /** The named schema (e.g. "Events"), or null. */
  JsonObject schema(String name) {
    return schemas.getJsonObject(name);
  }

  /**
   * The schema of field {@code name} inside values of {@code schema}, or null when there is no such field. Arrays are
   * looked through (a field of an array is that field of each element); in a map (additionalProperties) every key is
   * a field.
   */
  JsonObject field(JsonObject schema, String name) {
    JsonObject s = elements(schema);
    JsonObject properties = s.getJsonObject("properties");
    if (properties != null && properties.containsKey(name)) return resolve(properties.getJsonObject(name));
    if (s.getValue("additionalProperties") instanceof JsonObject map) return resolve(map);
    return null;
  }

  /** Whether values of {@code schema} have fields at all (objects and maps do, scalars do not). */
  boolean hasFields(JsonObject schema) {
    JsonObject s = elements(schema);
    return s.getJsonObject("properties") != null || s.getValue("additionalProperties") instanceof JsonObject;
  }

  /** The value schema when {@code schema} is a map without named properties, else null. */
  JsonObject mapValues(JsonObject schema) {
    JsonObject s = elements(schema);
    return s.getJsonObject("properties") == null && s.getValue("additionalProperties") instanceof JsonObject map
      ? resolve(map) : null;
  }

  private JsonObject elements(JsonObject schema) {
    JsonObject s = resolve(schema);
    while ("array".equals(s.getString("type")) && s.getJsonObject("items") != null) s = resolve(s.getJsonObject("items"));
    return s;
  }

  private JsonObject resolve(JsonObject schema) {
    String ref = schema.getString("$ref");
    return ref == null ? schema : schemas.getJsonObject(ref);
  }
}
