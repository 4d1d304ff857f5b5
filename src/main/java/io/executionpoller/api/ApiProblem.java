package io.executionpoller.api;

/** A client error, answered as application/problem+json with this status and detail. */
public class ApiProblem extends RuntimeException {

  private final int status;

  public ApiProblem(int status, String detail) {
    super(detail);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static ApiProblem badRequest(String detail) {
    return new ApiProblem(400, detail);
  }

  public static ApiProblem notFound(String detail) {
    return new ApiProblem(404, detail);
  }
}
