package io.executionpoller.dashboard;

import io.executionpoller.api.ApiProblem;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's scripts, served by the daemon itself so the pages' policy can stay {@code
 * script-src 'self'}: only the names in {@link #ALLOWED}, from the classpath folder {@code
 * dashboard/assets/}, with the pages' security headers. A name outside the list is a 404 and never
 * becomes a path, so nothing else on the classpath can be read through it.
 */
@Path("/assets")
public class DashboardAssets {

  static final String JAVASCRIPT = "text/javascript; charset=utf-8";

  /** Every script a page may load. */
  static final Set<String> ALLOWED = Set.of("bulk.js");

  private final Map<String, byte[]> loaded = new ConcurrentHashMap<>();

  @GET
  @Path("{name}")
  @Produces(JAVASCRIPT)
  public Response asset(@PathParam("name") String name) {
    if (!ALLOWED.contains(name)) {
      throw ApiProblem.notFound("no such asset");
    }
    byte[] body = loaded.computeIfAbsent(name, DashboardAssets::read);
    return Response.ok(body, JAVASCRIPT)
        .header("Content-Security-Policy", DashboardResource.CONTENT_SECURITY_POLICY)
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer")
        .header("Cache-Control", "no-store")
        .build();
  }

  private static byte[] read(String name) {
    try (InputStream in =
        DashboardAssets.class.getClassLoader().getResourceAsStream("dashboard/assets/" + name)) {
      if (in == null) {
        throw new IllegalStateException("dashboard/assets/" + name + " is missing from the build");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
