package org.calsync.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * The one failure a bus handler raises for its sender: a {@link FailureCode} and a message, replied as is by
 * {@link Messages#reply}. It is a {@link ReplyException}, so a local caller sees what a remote sender would.
 */
public final class BusFailure extends ReplyException {
  public BusFailure(int code, String message) {
    super(ReplyFailure.RECIPIENT_FAILURE, code, message);
  }

  public static BusFailure badRequest(String message) {
    return new BusFailure(FailureCode.BAD_REQUEST, message);
  }

  public static BusFailure notFound(String message) {
    return new BusFailure(FailureCode.NOT_FOUND, message);
  }

  public static BusFailure unavailable(String message) {
    return new BusFailure(FailureCode.UNAVAILABLE, message);
  }
}
