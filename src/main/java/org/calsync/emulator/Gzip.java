package org.calsync.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Response compression as Google's APIs do it (Calendar "Improve performance" guide): only when the request sends
 * {@code Accept-Encoding} with gzip and a {@code User-Agent} containing "gzip"; gzip only, whatever else is accepted.
 */
final class Gzip {
  private Gzip() {}

  static boolean wanted(HttpServerRequest request) {
    String agent = request.getHeader("User-Agent");
    return agent != null && agent.contains("gzip") && acceptsGzip(request.getHeader("Accept-Encoding"));
  }

  /** Whether the header lists gzip with a non-zero quality ("gzip", "deflate, gzip", "gzip;q=0.5"). */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) return false;
    for (String coding : acceptEncoding.split(",")) {
      String[] parts = coding.split(";");
      if (!parts[0].strip().equalsIgnoreCase("gzip")) continue;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].strip();
        if (p.startsWith("q=") && p.substring(2).strip().matches("0(\\.0*)?")) return false;
      }
      return true;
    }
    return false;
  }

  /** Fastest deflate level: the emulator stands in for Google in benchmarks, its CPU is not what is measured. */
  static Buffer compress(Buffer body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length() / 4));
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192) {
      {
        def.setLevel(Deflater.BEST_SPEED);
      }
    }) {
      gz.write(body.getBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in-memory streams do not fail
    }
    return Buffer.buffer(out.toByteArray());
  }
}
