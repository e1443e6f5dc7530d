package org.calsync.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fields an address's body has according to its documentation in bus/Addresses.java (the first
 * {@code {@code {...}}} of the constant's Javadoc): a field is optional when its type ends with '?'.
 */
public record DocumentedFields(String address, Set<String> required, Set<String> optional) {
  private static final Path SOURCE = Path.of("src/main/java/org/calsync/bus/Addresses.java");
  private static final Pattern KEY = Pattern.compile("[{,]\\s*\"(\\w+)\"");

  public static DocumentedFields of(String constant) {
    String src;
    try {
      src = Files.readString(SOURCE);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    int decl = src.indexOf("public static final String " + constant + " =");
    if (decl < 0) throw new IllegalArgumentException("no address " + constant);
    String doc = src.substring(src.lastIndexOf("/**", decl), decl).replaceAll("\\n\\s*\\*", " ");
    int open = doc.indexOf("{@code {");
    if (open < 0) throw new IllegalArgumentException(constant + " documents no body");
    String body = braced(doc, open + "{@code ".length());
    Set<String> required = new LinkedHashSet<>();
    Set<String> optional = new LinkedHashSet<>();
    Matcher m = KEY.matcher(body);
    while (m.find()) {
      if (depth(body, m.start()) != 1) continue;
      String type = valueAfter(body, m.end());
      (type.endsWith("?") ? optional : required).add(m.group(1));
    }
    return new DocumentedFields(constant, required, optional);
  }

  /** The message has every required field and nothing undocumented. */
  public void assertMatches(JsonObject message) {
    assertThat(message.fieldNames()).as(address + ": required fields").containsAll(required);
    Set<String> documented = new LinkedHashSet<>(required);
    documented.addAll(optional);
    assertThat(documented).as(address + ": every published field is documented").containsAll(message.fieldNames());
  }

  private static String braced(String s, int from) {
    int depth = 0;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{' || c == '[') depth++;
      if ((c == '}' || c == ']') && --depth == 0) return s.substring(from, i + 1);
    }
    throw new IllegalArgumentException("unbalanced body: " + s);
  }

  private static int depth(String s, int at) {
    int depth = 0;
    for (int i = 0; i <= at; i++) {
      char c = s.charAt(i);
      if (c == '{' || c == '[') depth++;
      if (c == '}' || c == ']') depth--;
    }
    return depth;
  }

  /** The documented type after a key (up to the next ',' or '}' at the same depth); "" when none is given. */
  private static String valueAfter(String s, int from) {
    int depth = 0;
    int i = from;
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{' || c == '[') depth++;
      if ((c == '}' || c == ']') && depth-- == 0) break;
      if (c == ',' && depth == 0) break;
    }
    return s.substring(from, i).trim();
  }
}
