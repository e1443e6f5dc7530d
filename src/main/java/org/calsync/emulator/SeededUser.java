package org.calsync.emulator;

/** A user created by {@link EmulatorState#seed(int, int)} and a refresh token minted for it. */
public record SeededUser(String email, String refreshToken) {}
