package org.calsync.support;

import java.util.ArrayDeque;
import java.util.Deque;
import org.calsync.emulator.EmulatorOptions;

/**
 * The worlds one test opened through {@link HarnessExtension}: the default one (a {@code Harness} parameter) and any
 * opened here with other emulator options or another database. The extension closes them all after the test.
 */
public final class Harnesses {
  private final Deque<AutoCloseable> open = new ArrayDeque<>();
  private Harness main;

  /** The test's default world (fresh database, default emulator); the same instance for every parameter of one test. */
  Harness main() {
    if (main == null) main = open();
    return main;
  }

  /** Another world on a fresh database with the default emulator (for a test that must prepare something first). */
  public Harness open() {
    return open(EmulatorOptions.defaults());
  }

  /** Another world on a fresh database, its emulator started with the given options. */
  public Harness open(EmulatorOptions options) {
    return track(new Harness(options));
  }

  /** Another world on the given (empty) database. */
  public Harness open(EmulatorOptions options, String dbUrl) {
    return track(new Harness(options, dbUrl));
  }

  /**
   * Something the test's worlds depend on (a database server of its own), closed with them in reverse order of
   * registration: registered before a world, it is closed after that world.
   */
  public void closeWith(AutoCloseable resource) {
    open.push(resource);
  }

  private Harness track(Harness h) {
    open.push(h);
    return h;
  }

  /** Closes every world and registered resource, newest first; the first failure is thrown once all were tried. */
  void closeAll() throws Exception {
    Exception first = null;
    while (!open.isEmpty()) {
      try {
        open.pop().close();
      } catch (Exception e) {
        if (first == null) first = e;
        else first.addSuppressed(e);
      }
    }
    main = null;
    if (first != null) throw first;
  }
}
