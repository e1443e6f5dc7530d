package org.calsync.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Records the messages one class logs while open (at the levels its logger lets through), to await a logged event. */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final Logger logger;
  private final List<String> messages = new CopyOnWriteArrayList<>();

  private LogCapture(Class<?> type) {
    logger = (Logger) LoggerFactory.getLogger(type);
    setContext(logger.getLoggerContext());
    start();
    logger.addAppender(this);
  }

  public static LogCapture of(Class<?> type) {
    return new LogCapture(type);
  }

  @Override
  protected void append(ILoggingEvent event) {
    messages.add(event.getFormattedMessage());
  }

  /** True once a message containing the text was logged. */
  public boolean logged(String text) {
    return messages.stream().anyMatch(m -> m.contains(text));
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }
}
