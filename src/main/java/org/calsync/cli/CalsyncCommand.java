package org.calsync.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level command. Without a subcommand it runs the daemon (same as "run"). */
@Command(name = "calsync", mixinStandardHelpOptions = true, version = "calsync 0.1.0",
    description = "Keeps practitioners' Google Calendars in sync with the clinic's appointment book.",
    subcommands = {RunCommand.class, org.calsync.demo.DemoCommand.class, org.calsync.emulator.EmulatorCommand.class, ConnectCommand.class, SyncCommand.class, SyncAllCommand.class,
        TestAutoSyncCommand.class, FailedCommand.class, CleanupCommand.class, TokenHealthCommand.class, StatusCommand.class,
        VerifyAuditCommand.class, RotateKeysCommand.class, DisconnectCommand.class, ApiKeyCommand.class, CommandLine.HelpCommand.class})
public final class CalsyncCommand implements Callable<Integer> {
  @CommandLine.Mixin
  ConfigOption config = new ConfigOption();

  @Override
  public Integer call() {
    RunCommand run = new RunCommand();
    run.config = config;
    return run.call();
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new CalsyncCommand());
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      line.getErr().println("calsync: " + Cli.describe(ex));
      return 2;
    });
    return cl;
  }
}
