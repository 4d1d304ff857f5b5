package io.executionpoller.dashboard;

import io.executionpoller.api.ApiProblem;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The dashboard's own scripts, served from the daemon itself so the pages' CSP can stay {@code
 * script-src 'self'}: only the names in {@link #NAMES}, read from the classpath folder {@code
 * dashboard/assets/} once at start, never a path a request chooses. Guarded by the access filter
 * like every dashboard route, and sent with the pages' security headers.
 */
@Path("/assets")
public class DashboardAssets {

  static final String JAVASCRIPT = "text/javascript; charset=utf-8";

  /** Every script a page may load. */
  static final Set<String> NAMES = Set.of("backfill.js", "bulk.js", "live.js");

  private static final String FOLDER = "dashboard/assets/";

  private final Map<String, byte[]> scripts;

  DashboardAssets() {
    Map<String, byte[]> read = new TreeMap<>();
    for (String name : NAMES) {
      read.put(name, read(name));
    }
    this.scripts = Map.copyOf(read);
  }

  @GET
  @Path("{name}")
  public Response asset(@PathParam("name") String name) {
    byte[] script = scripts.get(name);
    if (script == null) {
      return ApiProblem.response(404, "no such asset");
    }
    return DashboardResource.secured(Response.ok(script).type(JAVASCRIPT)).build();
  }

  private static byte[] read(String name) {
    try (InputStream in =
        Thread.currentThread().getContextClassLoader().getResourceAsStream(FOLDER + name)) {
      if (in == null) {
        throw new IllegalStateException("dashboard asset " + name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
