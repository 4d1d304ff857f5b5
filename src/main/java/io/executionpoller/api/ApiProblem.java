package io.executionpoller.api;

import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

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

  public static ApiProblem conflict(String detail) {
    return new ApiProblem(409, detail);
  }

  /** An RFC 9457 problem document with this status and detail. */
  public static Response response(int status, String detail) {
    Response.Status known = Response.Status.fromStatusCode(status);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", known == null ? "Error" : known.getReasonPhrase());
    body.put("status", status);
    body.put("detail", detail);
    return Response.status(status).type(PROBLEM_JSON).entity(body).build();
  }

  public static final String PROBLEM_JSON = "application/problem+json";
}
