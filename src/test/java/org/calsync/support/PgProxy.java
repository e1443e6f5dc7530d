package org.calsync.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of the test PostgreSQL that counts the queries clients send (simple Query and extended-protocol
 * Execute messages) and can cut its current connections silently ({@link #cutSilently}): from then on nothing passes
 * either way and a close by PostgreSQL (e.g. pg_terminate_backend) does not reach the client, whose socket stays open,
 * like a connection lost on the network. Connections made afterwards work normally.
 */
public final class PgProxy implements AutoCloseable {
  private static final int SSL_REQUEST = 80877103;
  private static final int GSS_REQUEST = 80877104;

  private final Vertx vertx = Vertx.vertx();
  private final String targetHost;
  private final int targetPort;
  private final AtomicLong queries = new AtomicLong();
  private final java.util.Set<AtomicBoolean> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private NetServer server;
  private NetClient client;

  private PgProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  /** A proxy for the server of a postgresql://user@host:port/db URL. */
  public static PgProxy start(String dbUrl) {
    String hostPort = dbUrl.substring(dbUrl.indexOf('@') + 1, dbUrl.lastIndexOf('/'));
    PgProxy p = new PgProxy(hostPort.substring(0, hostPort.lastIndexOf(':')),
        Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1)));
    p.client = p.vertx.createNetClient();
    p.server = p.vertx.createNetServer().connectHandler(p::accept).listen(0, "127.0.0.1").await();
    return p;
  }

  /** The same URL, through this proxy. */
  public String url(String dbUrl) {
    String user = dbUrl.substring(0, dbUrl.indexOf('@') + 1);
    return user + "127.0.0.1:" + server.actualPort() + dbUrl.substring(dbUrl.lastIndexOf('/'));
  }

  public long queries() {
    return queries.get();
  }

  /** Cuts every connection open now without telling the clients. */
  public void cutSilently() {
    for (AtomicBoolean cut : live) cut.set(true);
  }

  private void accept(NetSocket front) {
    front.pause();
    client.connect(targetPort, targetHost).onComplete(ar -> {
      if (ar.failed()) {
        front.close();
        return;
      }
      NetSocket back = ar.result();
      Counter counter = new Counter();
      AtomicBoolean cut = new AtomicBoolean();
      live.add(cut);
      front.handler(buf -> {
        if (cut.get()) return;
        counter.feed(buf);
        back.write(buf);
      });
      back.handler(buf -> {
        if (!cut.get()) front.write(buf);
      });
      back.closeHandler(v -> {
        if (!cut.get()) front.close();
      });
      front.closeHandler(v -> {
        live.remove(cut);
        back.close();
      });
      front.resume();
    });
  }

  /**
   * Follows the frontend message framing of one connection and counts Query ('Q') and Execute ('E') messages. Gives up
   * on a connection that turns to TLS (JDBC may; the reactive client used by calsync does not) or does not parse.
   */
  private final class Counter {
    private Buffer pending = Buffer.buffer();
    private boolean startup = true;
    private boolean opaque;

    void feed(Buffer buf) {
      if (opaque) return;
      pending.appendBuffer(buf);
      int pos = 0;
      while (true) {
        if (startup) {
          if (pending.length() - pos < 8) break;
          int len = pending.getInt(pos);
          if (pending.getByte(pos) == 0x16 || len < 8) {
            opaque = true;
            return;
          }
          if (pending.length() - pos < len) break;
          int code = pending.getInt(pos + 4);
          startup = code == SSL_REQUEST || code == GSS_REQUEST;
          pos += len;
        } else {
          if (pending.length() - pos < 5) break;
          byte type = pending.getByte(pos);
          int len = pending.getInt(pos + 1);
          if (len < 4) {
            opaque = true;
            return;
          }
          if (pending.length() - pos < 1 + len) break;
          if (type == 'Q' || type == 'E') queries.incrementAndGet();
          pos += 1 + len;
        }
      }
      pending = pending.getBuffer(pos, pending.length());
    }
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
