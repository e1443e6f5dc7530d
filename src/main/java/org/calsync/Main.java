package org.calsync;

import java.util.Set;
import org.calsync.cli.CalsyncCommand;
import picocli.CommandLine;

/**
 * Entry point: parses the command line (picocli) and runs the chosen command; with none, the daemon. CLI commands log
 * with the bundled logback-cli.xml (warnings and errors on stderr, stdout is the result) unless
 * -Dlogback.configurationFile names another configuration; the daemon, demo and emulator keep theirs.
 */
public final class Main {
  /** Commands that run as servers and log as such; every other command is a CLI command. */
  private static final Set<String> SERVERS = Set.of("run", "demo", "emulator");

  private Main() {
  }

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null && isCliCommand(args)) {
      System.setProperty("logback.configurationFile", "logback-cli.xml");
    }
    System.exit(CalsyncCommand.commandLine().execute(args));
  }

  /** True unless the first word that is not an option (nor -c's value) is a server command, or there is none. */
  static boolean isCliCommand(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-c") || a.equals("--config")) {
        i++;
      } else if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
        return true;
      } else if (!a.startsWith("-")) {
        return !SERVERS.contains(a);
      }
    }
    return false;
  }
}
