package io.executionpoller.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The OpenAPI document's header: every operation needs a bearer token (viewer to read, operator to
 * act; see security.AccessFilter). No JAX-RS configuration lives here.
 */
@OpenAPIDefinition(
    info =
        @Info(
            title = "execution-poller API",
            version = "1",
            description =
                "Track AMC workflow executions: register, list, inspect, cancel, retry, check now,"
                    + " read results. GET needs a viewer or operator token, other methods an"
                    + " operator token. Errors are application/problem+json."),
    security = @SecurityRequirement(name = "bearer"),
    components =
        @Components(
            securitySchemes =
                @SecurityScheme(
                    securitySchemeName = "bearer",
                    type = SecuritySchemeType.HTTP,
                    scheme = "bearer",
                    description = "A viewer or operator token (poller.security.*)")))
public class ApiDocumentation extends Application {}
