package org.calsync.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Option;

/** --json: print the result as one JSON document (for scripts) instead of tables and sentences (for people). */
public final class JsonOption {
  @Option(names = "--json", description = "Print the result as JSON (for scripts)")
  boolean json;

  boolean on() {
    return json;
  }

  /** Prints the JSON document when --json is given and returns true; false: print the human form. */
  boolean print(JsonObject doc) {
    if (json) System.out.println(doc.encodePrettily());
    return json;
  }

  /** As {@link #print(JsonObject)} for a list. */
  boolean print(JsonArray doc) {
    if (json) System.out.println(doc.encodePrettily());
    return json;
  }
}
