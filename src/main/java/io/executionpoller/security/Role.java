package io.executionpoller.security;

/** What a token allows; an operator may do everything a viewer may. */
public enum Role {
  VIEWER,
  OPERATOR;

  public boolean allows(Role required) {
    return this == OPERATOR || required == VIEWER;
  }
}
