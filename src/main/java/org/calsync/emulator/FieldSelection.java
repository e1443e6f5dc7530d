package org.calsync.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A parsed {@code fields} parameter (partial response, Google's syntax): {@code a,b} selects several fields,
 * {@code a/b} a field inside another, {@code a(b,c)} several inside one, {@code *} every field of a level. A field of
 * an array selects it in every element. Each name is checked against the response schema of the discovery document;
 * an unknown one is 400 invalidParameter "Invalid field selection NAME" (location fields).
 */
final class FieldSelection {
  /** Selected fields by name; a child with {@link #all} is selected whole. */
  private final Map<String, FieldSelection> named = new LinkedHashMap<>();
  /** {@code * /sub}: applies to every field of this level. */
  private FieldSelection anyField;
  private boolean all;

  private FieldSelection() {}

  private static FieldSelection whole() {
    FieldSelection s = new FieldSelection();
    s.all = true;
    return s;
  }

  /** Parses and checks {@code fields} against {@code schema} (a schema name of {@code schemas}). */
  static FieldSelection parse(String fields, ApiSchemas schemas, String schema) {
    Parser p = new Parser(fields, schemas);
    FieldSelection root = new FieldSelection();
    p.list(root, schemas.schema(schema));
    if (p.pos < fields.length()) throw invalid(fields.substring(p.pos));
    return root;
  }

  static ApiError invalid(String what) {
    return new ApiError(400, "global", "invalidParameter", "Invalid field selection " + what, "parameter", "fields");
  }

  /** The selected part of {@code body}; objects left with nothing selected are dropped, array elements are kept. */
  JsonObject apply(JsonObject body) {
    if (all) return body;
    JsonObject out = new JsonObject();
    for (Map.Entry<String, Object> e : body) {
      FieldSelection s = named.get(e.getKey());
      if (anyField != null) s = s == null ? anyField : merged(s, anyField);
      if (s == null) continue;
      Object v = s.select(e.getValue());
      if (v != null) out.put(e.getKey(), v);
    }
    return out;
  }

  private Object select(Object value) {
    if (all) return value;
    if (value instanceof JsonObject o) {
      JsonObject r = apply(o);
      return r.isEmpty() ? null : r;
    }
    if (value instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      for (Object element : a) out.add(element instanceof JsonObject o ? apply(o) : element);
      return out;
    }
    return null;
  }

  private static FieldSelection merged(FieldSelection a, FieldSelection b) {
    FieldSelection m = new FieldSelection();
    m.add(a);
    m.add(b);
    return m;
  }

  /** Adds everything {@code other} selects to this selection. */
  private void add(FieldSelection other) {
    if (all) return;
    if (other.all) {
      all = true;
      named.clear();
      anyField = null;
      return;
    }
    other.named.forEach((name, s) -> child(name).add(s));
    if (other.anyField != null) {
      if (anyField == null) anyField = new FieldSelection();
      anyField.add(other.anyField);
    }
  }

  private FieldSelection child(String name) {
    if (name.equals("*")) {
      if (anyField == null) anyField = new FieldSelection();
      return anyField;
    }
    return named.computeIfAbsent(name, n -> new FieldSelection());
  }

  /** Recursive descent over {@code list := path ['(' list ')'] {',' path ['(' list ')']}}, {@code path := name {'/' name}}. */
  private static final class Parser {
    private final String text;
    private final ApiSchemas schemas;
    int pos;

    Parser(String text, ApiSchemas schemas) {
      this.text = text;
      this.schemas = schemas;
    }

    /** schema null: below a wildcard of an object, names are not checked. */
    void list(FieldSelection into, JsonObject schema) {
      do {
        selection(into, schema);
      } while (accept(','));
    }

    private void selection(FieldSelection into, JsonObject schema) {
      FieldSelection node = into;
      JsonObject s = schema;
      do {
        String name = name();
        s = check(s, name);
        if (node.all) node = new FieldSelection(); // already selected whole: parse and check, keep nothing
        node = node.child(name);
      } while (accept('/'));
      if (accept('(')) {
        FieldSelection sub = new FieldSelection();
        list(sub, s);
        if (!accept(')')) throw invalid(rest());
        node.add(sub);
      } else {
        node.add(whole());
      }
    }

    private JsonObject check(JsonObject schema, String name) {
      if (schema == null) return null;
      if (name.equals("*")) {
        if (!schemas.hasFields(schema)) throw invalid(name);
        return schemas.mapValues(schema);
      }
      JsonObject field = schemas.field(schema, name);
      if (field == null) throw invalid(name);
      return field;
    }

    private String name() {
      skipSpaces();
      int start = pos;
      while (pos < text.length() && ",/()".indexOf(text.charAt(pos)) < 0) pos++;
      String name = text.substring(start, pos).strip();
      if (name.isEmpty()) throw invalid(rest());
      return name;
    }

    private boolean accept(char c) {
      skipSpaces();
      if (pos < text.length() && text.charAt(pos) == c) {
        pos++;
        return true;
      }
      return false;
    }

    private void skipSpaces() {
      while (pos < text.length() && text.charAt(pos) == ' ') pos++;
    }

    private String rest() {
      return pos < text.length() ? text.substring(pos) : text;
    }
  }
}
