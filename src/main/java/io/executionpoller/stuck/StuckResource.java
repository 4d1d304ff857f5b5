package io.executionpoller.stuck;

import io.executionpoller.api.QueryParams;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** GET /api/v1/executions/stuck: what is stuck and why, longest-stuck first. */
@Tag(name = "operations")
@Path("/api/v1/executions/stuck")
public class StuckResource {

  private static final int MAX_LIMIT = 1000;

  private final StuckDetector detector;
  private final Clock clock;

  StuckResource(StuckDetector detector, Clock clock) {
    this.detector = detector;
    this.clock = clock;
  }

  @Operation(summary = "Stuck executions with the reason for each")
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @WithSession
  public Uni<StuckList> list(@QueryParam("limit") String limitParam) {
    int limit = (int) QueryParams.wholeNumber("limit", limitParam, 100, 1, MAX_LIMIT);
    return detector.find(clock.instant(), limit).map(stuck -> new StuckList(stuck.size(), stuck));
  }

  /** The answer: how many rows came back (at most the limit) and the rows. */
  public record StuckList(int count, List<StuckExecution> executions) {}
}
