package org.calsync.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level command. Without a subcommand it runs the daemon (same as "run"). */
@Command(name = "calsync", mixinStandardHelpOptions = true, version = "calsync 0.1.0",
    description = "Keeps practitioners' Google Calendars in sync with the clinic's appointment book.",
    subcommands = {RunCommand.class, org.calsync.demo.DemoCommand.class, org.calsync.emulator.EmulatorCommand.class, ConnectCommand.class, SyncCommand.class, SyncAllCommand.class,
        TestAutoSyncCommand.class, FailedCommand.class, CleanupCommand.class, TokenHealthCommand.class, StatusCommand.class,
        VerifyAuditCommand.class, RotateKeysCommand.class, DisconnectCommand.class, ApiKeyCommand.class, IntegrationsCommand.class, PauseCommand.Pause.class, PauseCommand.Resume.class, DoctorCommand.class, CommandLine.HelpCommand.class})
public final class CalsyncCommand implements Callable<Integer> {
  @CommandLine.Mixin
  ConfigOption config = new ConfigOption();

  @Override
  public Integer call() {
    RunCommand run = new RunCommand();
    run.config = config;
    return run.call();
  }

  /** Exit codes of every command, shown by each command's --help (README: "Exit codes"). */
  static final Map<String, String> EXIT_CODES = exitCodes();

  private static Map<String, String> exitCodes() {
    Map<String, String> codes = new LinkedHashMap<>();
    codes.put("0", "done (all OK)");
    codes.put("1", "something failed or needs attention (the output says what)");
    codes.put("2", "bad usage, input or configuration (stderr says which)");
    return codes;
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new CalsyncCommand());
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      line.getErr().println("calsync: " + Cli.describe(ex));
      return Cli.exitCode(ex);
    });
    documentExitCodes(cl);
    return cl;
  }

  private static void documentExitCodes(CommandLine cl) {
    cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(EXIT_CODES);
    cl.getSubcommands().values().forEach(CalsyncCommand::documentExitCodes);
  }
}
