package org.calsync.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calsync.App;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.support.WebhookReceiver;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * conf/alerts.yml passes promtool (check and its unit tests in conf/alerts-test.yml), and every metric a rule or a
 * panel of conf/grafana-dashboard.json names is in a real /metrics scrape of a running daemon after a sync.
 */
@ExtendWith(HarnessExtension.class)
class AlertRulesTest {
  private static final Path RULES = Path.of("conf/alerts.yml");
  private static final Path RULE_TESTS = Path.of("conf/alerts-test.yml");
  private static final Path DASHBOARD = Path.of("conf/grafana-dashboard.json");
  /** Metric names are the identifiers with these prefixes (label values and functions never start with one). */
  private static final Pattern METRIC = Pattern.compile("\\b((?:calsync|vertx|jvm|process|system)_[A-Za-z0-9_]+)");
  @Test
  void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
    String promtool = promtool();
    if (promtool == null) {
      if ("true".equals(System.getenv("CI"))) fail("promtool is not installed (Debian package prometheus; .ci/run installs it)");
      Assumptions.abort("promtool is not installed (apt-get install prometheus)");
    }
    assertThat(run(promtool, "check", "rules", RULES.toString())).contains("SUCCESS");
    assertThat(run(promtool, "test", "rules", RULE_TESTS.toString())).contains("SUCCESS");
  }

  @Test
  void everyMetricOfTheRulesAndTheDashboardIsExported(Harness h) throws Exception {
    int port = Harness.freePort();
    // with a notices webhook, so that the outbox's delivery gauges are exported too
    WebhookReceiver receiver = WebhookReceiver.start(h.vertx);
    h.configure(new JsonObject().put("push", new JsonObject().put("enabled", true).put("listenPort", port)
        .put("webhookUrl", "http://127.0.0.1:" + port + "/webhooks/google").put("checkSeconds", 1))
        .put("notices", new JsonObject().put("webhookUrl", receiver.url())));
    h.config = h.config.withNotices(h.config.notices().withWebhookSecret(WebhookReceiver.newSecret()));
    h.start(new App.Parts(true, false, true));
    h.connectSeeded(3, 3);
    h.runCycle();
    Harness.await("push channels opened", () -> h.count("SELECT count(*) FROM push_channels WHERE resource_id IS NOT NULL") > 0);
    WebClient web = WebClient.create(h.vertx);
    try {
      web.post(port, "127.0.0.1", "/webhooks/google").putHeader("X-Goog-Channel-ID", "unknown")
          .putHeader("X-Goog-Resource-State", "exists").send().await();
      Set<String> used = new TreeSet<>(ruleMetrics());
      used.addAll(dashboardMetrics());
      assertThat(used).as("names found in the rules and the dashboard").contains("calsync_oldest_sync_age_seconds",
          "calsync_integrations", "calsync_google_calls_total", "calsync_blocked_threads_total", "jvm_memory_used_bytes",
          "calsync_notices_pending", "calsync_notices_dead", "calsync_notices_oldest_pending_seconds");
      Harness.eventually(() -> {
        Set<String> exported = exported(web.get(h.app.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString());
        List<String> missing = new ArrayList<>();
        for (String name : used) if (!exported.contains(name)) missing.add(name);
        assertThat(missing).as("named by a rule or a panel but not in /metrics").isEmpty();
      });
      Harness.eventually(() -> {  // the database-backed gauges are refreshed periodically, not on each scrape
        String scrape = web.get(h.app.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
        assertThat(scrape).contains("calsync_integrations{status=\"active\"} 3.0")
            .contains("calsync_integrations{status=\"needs_reconnect\"} 0.0").contains("calsync_writebacks_pending 0.0")
            .contains("calsync_recovered_failures_total{kind=\"database\"}");
      });
    } finally {
      web.close();
      receiver.close();
    }
  }

  @Test
  void restoresAreCountedFromTheOverriddenNotices(Harness h) {
    h.start(new App.Parts(false, false, true));
    h.vertx.eventBus().publish(org.calsync.bus.Addresses.APPOINTMENT_OVERRIDDEN,
        new JsonObject().put("appointmentId", "A-1").put("change", "moved"));
    h.vertx.eventBus().publish(org.calsync.bus.Addresses.APPOINTMENT_OVERRIDDEN,
        new JsonObject().put("appointmentId", "A-2").put("change", "revived"));
    Harness.await("both restores counted", () -> restored(h, "moved") == 1 && restored(h, "revived") == 1);
    assertThat(restored(h, "deleted")).isZero();
  }

  private static double restored(Harness h, String change) {
    return h.runtime.registry().find("calsync.google.overrides.restored").tag("change", change).counter().count();
  }

  /** The metric names of every expr: in the rules file (one-line and folded block values). */
  static Set<String> ruleMetrics() throws Exception {
    Set<String> names = new TreeSet<>();
    List<String> lines = Files.readAllLines(RULES);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher m = Pattern.compile("^(\\s*)expr:\\s*(.*)$").matcher(line);
      if (!m.matches()) continue;
      StringBuilder expr = new StringBuilder(m.group(2).startsWith(">") || m.group(2).startsWith("|") ? "" : m.group(2));
      int indent = m.group(1).length();
      while (i + 1 < lines.size() && (lines.get(i + 1).isBlank() || lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length() > indent)) {
        expr.append(' ').append(lines.get(++i).trim());
      }
      names.addAll(metricNames(expr.toString()));
    }
    assertThat(names).as("metrics in " + RULES).isNotEmpty();
    return names;
  }

  /** The metric names of every panel target's expr (rows' nested panels included). */
  static Set<String> dashboardMetrics() throws Exception {
    Set<String> names = new TreeSet<>();
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    collect(dashboard.getJsonArray("panels"), names);
    assertThat(names).as("metrics in " + DASHBOARD).isNotEmpty();
    return names;
  }

  private static void collect(JsonArray panels, Set<String> names) {
    if (panels == null) return;
    for (Object p : panels) {
      JsonObject panel = (JsonObject) p;
      JsonArray targets = panel.getJsonArray("targets", new JsonArray());
      for (Object t : targets) names.addAll(metricNames(((JsonObject) t).getString("expr", "")));
      collect(panel.getJsonArray("panels"), names);
    }
  }

  static Set<String> metricNames(String promql) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(promql.replaceAll("\"[^\"]*\"", "\"\""));
    while (m.find()) names.add(m.group(1));
    return names;
  }

  /** The sample names of a Prometheus text scrape. */
  private static Set<String> exported(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') end++;
      names.add(line.substring(0, end));
    }
    return names;
  }

  private static String promtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "promtool"))) return Path.of(dir, "promtool").toString();
    }
    return null;
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    return out;
  }
}
