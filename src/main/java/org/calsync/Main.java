package org.calsync;

import org.calsync.cli.CalsyncCommand;
import picocli.CommandLine;

/** Entry point: parses the command line (picocli) and runs the chosen command; with none, the daemon. */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    System.exit(CalsyncCommand.commandLine().execute(args));
  }
}
