package org.calsync;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.calsync.metrics.Recoveries;
import org.calsync.ops.BlockedThreads;

/**
 * Builds the Vertx instance: for the daemon with Vert.x's own Micrometer metrics into the Prometheus registry it exports
 * (plus JVM binders); for a CLI command without them (nothing is scraped; calsync's meters still have a registry).
 */
public final class VertxRuntime {
  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;

  private VertxRuntime(Vertx vertx, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
  }

  public static VertxRuntime create() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    Recoveries.bindTo(registry);
    Vertx vertx = Vertx.builder()
        // Vert.x's HTTP client metrics (meters looked up per request) cost several percent of a no-change sync's CPU and duplicate
        // calsync's own Google call metrics (calsync_google_calls_total, calsync_google_throttle_in_flight)
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    BlockedThreads.watch(vertx, registry);
    return new VertxRuntime(vertx, registry);
  }

  /** For a CLI command: no Vert.x metrics, a registry only for calsync's own meters (never exported). */
  public static VertxRuntime forCommand() {
    return new VertxRuntime(Vertx.vertx(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public Vertx vertx() {
    return vertx;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }
}
