package org.calsync.emulator;

/**
 * Emulator settings.
 *
 * @param host                  interface to bind (127.0.0.1 by default)
 * @param port                  TCP port, 0 picks a free one
 * @param clientId              the default OAuth client accepted by /token (more: EmulatorState.registerClient)
 * @param clientSecret          its secret
 * @param accessTokenTtlSeconds {@code expires_in} of issued access tokens; they stop working after it
 * @param seed                  seeds every random choice (ids, seeded events, faults, mutation driver)
 */
public record EmulatorOptions(String host, int port, String clientId, String clientSecret,
                              long accessTokenTtlSeconds, long seed) {

  public static EmulatorOptions defaults() {
    return new EmulatorOptions("127.0.0.1", 0, "calsync-local", "calsync-local-secret", 3599, 42);
  }

  public EmulatorOptions withHost(String h) { return new EmulatorOptions(h, port, clientId, clientSecret, accessTokenTtlSeconds, seed); }
  public EmulatorOptions withPort(int p) { return new EmulatorOptions(host, p, clientId, clientSecret, accessTokenTtlSeconds, seed); }
  public EmulatorOptions withClient(String id, String secret) { return new EmulatorOptions(host, port, id, secret, accessTokenTtlSeconds, seed); }
  public EmulatorOptions withAccessTokenTtlSeconds(long ttl) { return new EmulatorOptions(host, port, clientId, clientSecret, ttl, seed); }
  public EmulatorOptions withSeed(long s) { return new EmulatorOptions(host, port, clientId, clientSecret, accessTokenTtlSeconds, s); }
}
