package org.calsync.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Micrometer's "This Gauge has been already registered" warning for Vert.x's own gauges, and only those.
 * vertx-micrometer-metrics registers a gauge again every time a handler, connection or pool entry appears and relies on
 * the registry returning the existing one (by design: vert-x3/vertx-micrometer-metrics#259); Micrometer 1.13.9+
 * warns about that once per JVM (micrometer-metrics/micrometer#6931). The warning about any other meter (ours) passes.
 * Installed as a turboFilter in the logback configurations (conf/logback*.xml, the bundled logback.xml).
 */
public final class VertxGaugeWarnings extends TurboFilter {
  private static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format != null && LOGGER.equals(logger.getName()) && format.startsWith("This Gauge has been already registered")
        && format.contains("MeterId{name='vertx.")) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
