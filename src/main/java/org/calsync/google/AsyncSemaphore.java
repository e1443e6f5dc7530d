package org.calsync.google;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/** Bounds how many of some operation run at once, without blocking. Confined to one event loop. */
public final class AsyncSemaphore {
  private final int permits;
  private final ArrayDeque<Promise<Void>> waiting = new ArrayDeque<>();
  private int used;

  public AsyncSemaphore(int permits) {
    this.permits = permits;
  }

  /** Runs body when a permit is free and gives the permit back when body's future completes. */
  public <T> Future<T> run(Supplier<Future<T>> body) {
    Future<Void> permit;
    if (used < permits) {
      used++;
      permit = Future.succeededFuture();
    } else {
      Promise<Void> p = Promise.promise();
      waiting.add(p);
      permit = p.future();
    }
    return permit.compose(v -> body.get()).andThen(ar -> {
      Promise<Void> next = waiting.poll();
      if (next != null) next.complete();
      else used--;
    });
  }
}
