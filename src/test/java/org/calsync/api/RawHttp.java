package org.calsync.api;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 over a plain socket, for what java.net.http will not send: a body that trickles or never arrives, a
 * Content-Length that lies. Requests say "Connection: close", so the answer ends at EOF.
 */
final class RawHttp implements AutoCloseable {
  /** A status and the body as JSON (null when empty). */
  record Answer(int status, String head, JsonObject json) {
  }

  private final Socket socket;

  RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(60_000);
  }

  /** Sends the request line and headers (Host and Connection: close added). */
  RawHttp head(String requestLine, String... headers) throws IOException {
    StringBuilder b = new StringBuilder(requestLine).append("\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (String h : headers) b.append(h).append("\r\n");
    return write(b.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
  }

  RawHttp write(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return this;
  }

  /** Reads the answer up to the server's close. */
  Answer answer() throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) > 0; ) all.write(buf, 0, n);
    String text = all.toString(StandardCharsets.UTF_8);
    int split = text.indexOf("\r\n\r\n");
    String head = split < 0 ? text : text.substring(0, split);
    String body = split < 0 ? "" : text.substring(split + 4);
    return new Answer(Integer.parseInt(head.split(" ")[1]), head, body.isEmpty() ? null : new JsonObject(body));
  }

  /** True once the server has closed the connection (reads return EOF). */
  boolean closedByServer() {
    try {
      return socket.getInputStream().read() < 0;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
