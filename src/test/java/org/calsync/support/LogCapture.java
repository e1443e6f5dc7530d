package org.calsync.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Records what one class logs while open (at the levels its logger lets through), to await a logged event;
 * {@link #all()} records every logger's events (the root logger's appenders see them all).
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final Logger logger;
  private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

  private LogCapture(Logger logger) {
    this.logger = logger;
    setContext(logger.getLoggerContext());
    start();
    logger.addAppender(this);
  }

  public static LogCapture of(Class<?> type) {
    return new LogCapture((Logger) LoggerFactory.getLogger(type));
  }

  /** Every logger's events (everything that reaches the root logger). */
  public static LogCapture all() {
    return new LogCapture((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME));
  }

  @Override
  protected void append(ILoggingEvent event) {
    events.add(event);
  }

  /** The events logged at the given level whose message contains the text. */
  public List<ILoggingEvent> at(Level level, String text) {
    return events.stream().filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(text)).toList();
  }

  /** True once a message containing the text was logged. */
  public boolean logged(String text) {
    return events.stream().anyMatch(e -> e.getFormattedMessage().contains(text));
  }

  /** "LEVEL logger: message" of each event at the level or above. */
  public List<String> atLeast(Level level) {
    return events.stream().filter(e -> e.getLevel().isGreaterOrEqual(level))
        .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()
            + (e.getThrowableProxy() == null ? "" : " (" + e.getThrowableProxy().getClassName() + ": "
            + e.getThrowableProxy().getMessage() + ")"))
        .toList();
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }
}
