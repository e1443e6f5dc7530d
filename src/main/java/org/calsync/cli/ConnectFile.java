package org.calsync.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The file of connect --from-file: CSV with a header naming user_id, email and refresh_token (any order, other columns
 * ignored), or JSON lines {"userId", "email", "refreshToken"} (snake_case accepted). Blank lines and lines starting with
 * # are skipped. A file that cannot be read or parsed (no usable header, a line that is not JSON, a CSV line with the
 * wrong number of fields) is refused as a whole, naming each bad line; a line whose values are wrong (user id not a
 * positive number, no e-mail, no token) is an entry with a problem, reported on its own. Tokens never appear in
 * problems or in toString.
 */
final class ConnectFile {
  /** One practitioner to connect; problem is non-null when the line's values are wrong. */
  record Entry(int line, Long userId, String email, String refreshToken, String problem) {
    @Override
    public String toString() {
      return "line " + line + " user " + userId + " " + email;
    }
  }

  /** The file as a whole is unusable; the message lists what is wrong (never a token). */
  static final class BadFile extends Exception {
    BadFile(String message) {
      super(message);
    }
  }

  private ConnectFile() {
  }

  static List<Entry> read(Path file) throws BadFile {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BadFile("cannot read " + file + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
    int first = 0;
    while (first < lines.size() && skip(lines.get(first))) first++;
    if (first == lines.size()) throw new BadFile(file + " has no entries");
    return lines.get(first).trim().startsWith("{") ? jsonLines(lines) : csv(lines, first);
  }

  private static boolean skip(String line) {
    return line.isBlank() || line.trim().startsWith("#");
  }

  private static List<Entry> jsonLines(List<String> lines) throws BadFile {
    List<Entry> out = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (skip(lines.get(i))) continue;
      JsonObject o;
      try {
        o = new JsonObject(lines.get(i));
      } catch (DecodeException | ClassCastException e) {
        bad.add("line " + (i + 1) + " is not a JSON object");
        continue;
      }
      Object user = o.containsKey("userId") ? o.getValue("userId") : o.getValue("user_id");
      Object email = o.containsKey("email") ? o.getValue("email") : o.getValue("account_email");
      Object token = o.containsKey("refreshToken") ? o.getValue("refreshToken") : o.getValue("refresh_token");
      out.add(entry(i + 1, user == null ? null : String.valueOf(user), email == null ? null : String.valueOf(email),
          token instanceof String t ? t : null));
    }
    if (!bad.isEmpty()) throw new BadFile(String.join("; ", bad) + " (expected one {\"userId\", \"email\", \"refreshToken\"} per line)");
    return out;
  }

  private static List<Entry> csv(List<String> lines, int headerAt) throws BadFile {
    List<String> header = fields(lines.get(headerAt)).stream().map(h -> h.toLowerCase(Locale.ROOT).replace("-", "_")
        .replace(" ", "_")).toList();
    int user = column(header, "user_id", "userid", "user");
    int email = column(header, "email", "e_mail", "account_email");
    int token = column(header, "refresh_token", "refreshtoken", "token");
    if (user < 0 || email < 0 || token < 0) {
      throw new BadFile("line " + (headerAt + 1) + ": the CSV header must name user_id, email and refresh_token "
          + "(or give JSON lines {\"userId\", \"email\", \"refreshToken\"})");
    }
    List<Entry> out = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    for (int i = headerAt + 1; i < lines.size(); i++) {
      if (skip(lines.get(i))) continue;
      List<String> f = fields(lines.get(i));
      if (f.size() != header.size()) {
        bad.add("line " + (i + 1) + " has " + f.size() + " fields, the header " + header.size());
        continue;
      }
      out.add(entry(i + 1, f.get(user), f.get(email), f.get(token)));
    }
    if (!bad.isEmpty()) throw new BadFile(String.join("; ", bad));
    return out;
  }

  private static int column(List<String> header, String... names) {
    for (String n : names) if (header.contains(n)) return header.indexOf(n);
    return -1;
  }

  /** Comma-separated fields, trimmed, surrounding double quotes removed ("" inside quotes is a quote). */
  private static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (c == ',' && !quoted) {
        out.add(cur.toString().trim());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString().trim());
    return out;
  }

  private static Entry entry(int line, String user, String email, String token) {
    Long userId = null;
    try {
      userId = user == null ? null : Long.valueOf(user.trim());
    } catch (NumberFormatException e) {
      // reported below
    }
    String t = token == null ? null : token.trim();
    String problem = userId == null || userId <= 0 ? "user id must be a positive number"
        : email == null || !email.contains("@") ? "e-mail is missing or not an address"
        : t == null || t.isEmpty() ? "refresh token is missing"
        : t.length() > 4096 ? "refresh token is implausibly long" : null;
    return new Entry(line, userId, email == null ? null : email.trim(), t, problem);
  }
}
