package io.executionpoller.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.hibernate.exception.ConstraintViolationException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every API error as RFC 9457 problem+json; internal details stay in the log. */
class ProblemMapper {

  private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

  @ServerExceptionMapper
  Response problem(ApiProblem problem) {
    return respond(problem.status(), problem.getMessage());
  }

  @ServerExceptionMapper
  Response unreadableJson(JsonProcessingException e) {
    return respond(
        400, "request body is not valid JSON for this endpoint: " + e.getOriginalMessage());
  }

  /** More specific than Quarkus' own mapper, so a wrongly typed field is a problem document too. */
  @ServerExceptionMapper
  Response mismatchedJson(MismatchedInputException e) {
    String field =
        e.getPath().isEmpty() ? "body" : e.getPath().get(e.getPath().size() - 1).getFieldName();
    return respond(400, "field '" + field + "' has the wrong type or format");
  }

  @ServerExceptionMapper
  Response conflict(ConstraintViolationException e) {
    return respond(409, "conflicts with an existing record (" + e.getConstraintName() + ")");
  }

  @ServerExceptionMapper
  Response web(WebApplicationException e) {
    return respond(e.getResponse().getStatus(), e.getMessage());
  }

  @ServerExceptionMapper
  Response unexpected(Exception e) {
    LOG.error("unexpected API failure", e);
    return respond(500, "internal error; see the daemon's log");
  }

  private static Response respond(int status, String detail) {
    return ApiProblem.response(status, detail);
  }
}
