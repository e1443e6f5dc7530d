package org.calsync.config;

import io.vertx.core.json.JsonObject;

/** Typed, validated reads from one config section; every failure names the full key. */
final class Json {
  private final JsonObject obj;
  private final String section;

  Json(JsonObject root, String section) {
    Object value = root.getValue(section);
    if (value != null && !(value instanceof JsonObject)) {
      throw new ConfigException(section, "must be a JSON object", "write \"" + section + "\": { ... }");
    }
    this.obj = value == null ? new JsonObject() : (JsonObject) value;
    this.section = section;
  }

  String key(String name) {
    return section + "." + name;
  }

  String string(String name, String def) {
    Object v = obj.getValue(name);
    if (v == null) return def;
    if (!(v instanceof String s)) throw new ConfigException(key(name), "must be a string", "quote the value");
    return s;
  }

  String required(String name, String fix) {
    String v = string(name, null);
    if (v == null || v.isBlank()) throw new ConfigException(key(name), "is missing", fix);
    return v;
  }

  long integer(String name, long def, long min, long max) {
    Object v = obj.getValue(name);
    if (v == null) return def;
    long n;
    if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
      n = num.longValue();
    } else if (v instanceof String s && s.trim().matches("-?\\d+")) {
      n = Long.parseLong(s.trim());
    } else {
      throw new ConfigException(key(name), "must be a whole number, got '" + v + "'", "use a number between " + min + " and " + max);
    }
    if (n < min || n > max) {
      throw new ConfigException(key(name), "is " + n + ", out of range", "use a number between " + min + " and " + max);
    }
    return n;
  }

  double decimal(String name, double def, double min, double max) {
    Object v = obj.getValue(name);
    if (v == null) return def;
    double d;
    try {
      d = v instanceof Number num ? num.doubleValue() : Double.parseDouble(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key(name), "must be a number, got '" + v + "'", "use a number between " + min + " and " + max);
    }
    if (!(d >= min && d <= max)) {
      throw new ConfigException(key(name), "is " + d + ", out of range", "use a number between " + min + " and " + max);
    }
    return d;
  }

  boolean bool(String name, boolean def) {
    Object v = obj.getValue(name);
    if (v == null) return def;
    if (v instanceof Boolean b) return b;
    if ("true".equalsIgnoreCase(String.valueOf(v).trim())) return true;
    if ("false".equalsIgnoreCase(String.valueOf(v).trim())) return false;
    throw new ConfigException(key(name), "must be true or false, got '" + v + "'", "write true or false");
  }
}
