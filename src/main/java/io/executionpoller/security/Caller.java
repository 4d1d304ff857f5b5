package io.executionpoller.security;

/**
 * An authenticated caller. The name is the role and the first 8 hex digits of the token's SHA-256,
 * enough to tell tokens apart in the audit trail without revealing any of them.
 */
public record Caller(String name, Role role) {}
