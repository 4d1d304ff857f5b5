// Unit tests of the Helm chart: render with given values through the pinned helm binary and assert on
// the objects. Run through validate.sh (which installs helm), or: HELM=/path/to/helm node --test src/test/deploy/
import assert from "node:assert/strict";
import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { CHART_DIR, REPO_ROOT, helmTemplate, parseManifests } from "./helm.mjs";
import { PLAIN_DIR, plainManifestsOnDisk, renderPlainManifests } from "./plain-manifests.mjs";

const MINIMAL_VALUES = join(REPO_ROOT, "src/test/deploy/values-minimal.yaml");
const SECRET_KEYS = {
  QUARKUS_DATASOURCE_USERNAME: "database-username",
  QUARKUS_DATASOURCE_PASSWORD: "database-password",
  POLLER_AMC_CLIENT_ID: "amc-client-id",
  POLLER_AMC_CLIENT_SECRET: "amc-client-secret",
  POLLER_AMC_REFRESH_TOKEN: "amc-refresh-token",
  POLLER_SECURITY_VIEWER_TOKENS: "viewer-tokens",
  POLLER_SECURITY_OPERATOR_TOKENS: "operator-tokens",
};

/** Renders the chart with the required values plus `values`; returns the objects. */
function render(values = {}, extraArgs = []) {
  const args = ["test", CHART_DIR, "-f", MINIMAL_VALUES, "-f", "-", ...extraArgs];
  return parseManifests(helmTemplate(args, JSON.stringify(values)));
}

function only(objects, kind, name) {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.equal(found.length, 1, `expected exactly one ${kind}${name ? ` named ${name}` : ""}, found ${found.length}`);
  return found[0];
}

const kinds = (objects) => objects.map((o) => o.kind);
const podSpec = (objects) => only(objects, "Deployment").spec.template.spec;
const container = (objects) => podSpec(objects).containers[0];

function readManifests(...paths) {
  return paths.flatMap((path) => parseManifests(readFileSync(join(PLAIN_DIR, path), "utf8")));
}

// The same security and probe assertions hold for the chart default and the committed plain manifests.
const sources = {
  "chart with default values": () => render(),
  "plain manifests in deploy/kubernetes": () => readManifests("40-deployment.yaml"),
};

for (const [source, load] of Object.entries(sources)) {
  describe(`Deployment from ${source}`, () => {
    test("runs as non-root with a read-only root filesystem and no privileges", () => {
      const objects = load();
      const pod = podSpec(objects);
      const securityContext = container(objects).securityContext;
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
      assert.equal(securityContext.runAsNonRoot, true);
      assert.equal(securityContext.readOnlyRootFilesystem, true);
      assert.equal(securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(securityContext.capabilities.drop, ["ALL"]);
      assert.equal(pod.automountServiceAccountToken, false);
    });

    test("mounts an emptyDir at /tmp, the only writable path", () => {
      const objects = load();
      const mount = container(objects).volumeMounts.find((m) => m.mountPath === "/tmp");
      assert.ok(mount, "no volume mounted at /tmp");
      const volume = podSpec(objects).volumes.find((v) => v.name === mount.name);
      assert.ok(volume.emptyDir, "/tmp is not an emptyDir");
    });

    test("probes the health endpoints on the management port 9000", () => {
      const c = container(load());
      const portNumber = (port) => (typeof port === "number" ? port : c.ports.find((p) => p.name === port)?.containerPort);
      const expected = {
        startupProbe: "/q/health/started",
        livenessProbe: "/q/health/live",
        readinessProbe: "/q/health/ready",
      };
      for (const [probe, path] of Object.entries(expected)) {
        assert.equal(c[probe]?.httpGet?.path, path, `${probe} path`);
        assert.equal(portNumber(c[probe].httpGet.port), 9000, `${probe} port`);
      }
    });

    test("exposes the API on 8080 and the management interface on 9000", () => {
      const ports = Object.fromEntries(container(load()).ports.map((p) => [p.name, p.containerPort]));
      assert.deepEqual(ports, { http: 8080, management: 9000 });
    });

    test("rolls out without losing capacity", () => {
      const strategy = only(load(), "Deployment").spec.strategy;
      assert.deepEqual(strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    });
  });
}

describe("chart", () => {
  test("renders the expected objects with default values", () => {
    assert.deepEqual(kinds(render()).sort(), [
      "ConfigMap",
      "Deployment",
      "NetworkPolicy",
      "PodDisruptionBudget",
      "Secret",
      "Service",
      "Service",
    ]);
    assert.equal(only(render(), "Deployment").spec.replicas, 2);
  });

  test("fails without image.repository or image.tag, by schema and by template", () => {
    assert.throws(() => render({ image: { repository: "" } }), /image\.repository/);
    assert.throws(() => render({ image: { tag: "" } }), /image\.tag/);
    const skipSchema = ["--skip-schema-validation"];
    assert.throws(() => render({ image: { repository: "" } }, skipSchema), /image\.repository is required/);
    assert.throws(() => render({ image: { tag: "" } }, skipSchema), /image\.tag is required/);
  });

  test("fails without database.host", () => {
    assert.throws(() => render({ database: { host: "" } }, ["--skip-schema-validation"]), /database\.host is required/);
  });

  test("rejects misspelt top-level values", () => {
    assert.throws(() => render({ replicaCont: 3 }), /replicaCont/);
  });

  test("reads credentials from the chart's own Secret by default", () => {
    const objects = render();
    const secret = only(objects, "Secret");
    const env = container(objects).env;
    for (const [name, key] of Object.entries(SECRET_KEYS)) {
      const ref = env.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
      assert.deepEqual({ name: ref?.name, key: ref?.key }, { name: secret.metadata.name, key }, name);
      assert.ok(key in secret.stringData, `chart Secret lacks key ${key}`);
    }
  });

  test("reads credentials from existingSecret when set, and creates no Secret", () => {
    const objects = render({ secret: { existingSecret: "team-credentials" } });
    assert.ok(!kinds(objects).includes("Secret"));
    const env = container(objects).env;
    for (const [name, key] of Object.entries(SECRET_KEYS)) {
      const ref = env.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
      assert.deepEqual({ name: ref?.name, key: ref?.key }, { name: "team-credentials", key }, name);
    }
    const podAnnotations = only(objects, "Deployment").spec.template.metadata.annotations;
    assert.ok(!("checksum/secret" in (podAnnotations ?? {})));
  });

  test("refuses an existingSecret together with credential values", () => {
    assert.throws(
      () => render({ secret: { existingSecret: "team-credentials", databasePassword: "p" } }),
      /either secret\.existingSecret or the credential values/,
    );
  });

  test("keeps credentials out of the ConfigMap", () => {
    const credentials = {
      databaseUsername: "user-4d1f",
      databasePassword: "password-9a7c",
      amcClientId: "client-id-51be",
      amcClientSecret: "client-secret-0e32",
      amcRefreshToken: "refresh-token-77aa",
      viewerTokens: "viewer-token-c3d9-0000",
      operatorTokens: "sha256:5b0e8f2b0c1d4e6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c",
    };
    const objects = render({ secret: credentials });
    const configMap = only(objects, "ConfigMap");
    const configText = JSON.stringify(configMap);
    for (const value of Object.values(credentials)) {
      assert.ok(!configText.includes(value), `ConfigMap contains a credential: ${value}`);
      assert.ok(Object.values(only(objects, "Secret").stringData).includes(value));
    }
    for (const name of Object.keys(SECRET_KEYS)) assert.ok(!(name in configMap.data), `ConfigMap has ${name}`);
  });

  test("schema rejects credentials in config", () => {
    assert.throws(() => render({ config: { QUARKUS_DATASOURCE_PASSWORD: "x" } }), /QUARKUS_DATASOURCE_PASSWORD|config/);
  });

  test("derives both datasource URLs from database.*", () => {
    const data = only(render({ database: { host: "pg", port: 6432, name: "amc" } }), "ConfigMap").data;
    assert.equal(data.QUARKUS_DATASOURCE_JDBC_URL, "jdbc:postgresql://pg:6432/amc");
    assert.equal(data.QUARKUS_DATASOURCE_REACTIVE_URL, "postgresql://pg:6432/amc");
  });

  test("checksum/config changes when the configuration changes, and only then", () => {
    const checksum = (values) => only(render(values), "Deployment").spec.template.metadata.annotations["checksum/config"];
    const base = checksum({});
    assert.match(base, /^[0-9a-f]{64}$/);
    assert.notEqual(checksum({ config: { POLLER_POLL_INTERVAL: "30S" } }), base);
    assert.notEqual(checksum({ database: { host: "other-host" } }), base);
    assert.equal(checksum({ replicaCount: 3 }), base);
  });

  test("renders an HPA only when enabled, and then leaves replicas to it", () => {
    assert.ok(!kinds(render()).includes("HorizontalPodAutoscaler"));
    const objects = render({ autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5 } });
    const hpa = only(objects, "HorizontalPodAutoscaler");
    const deployment = only(objects, "Deployment");
    assert.equal(hpa.spec.scaleTargetRef.name, deployment.metadata.name);
    assert.equal(hpa.spec.maxReplicas, 5);
    assert.ok(!("replicas" in deployment.spec), "Deployment must not fix replicas when the HPA is on");
  });

  test("renders a PodDisruptionBudget that selects the pods", () => {
    const objects = render();
    const pdb = only(objects, "PodDisruptionBudget");
    assert.equal(pdb.spec.maxUnavailable, 1);
    const podLabels = only(objects, "Deployment").spec.template.metadata.labels;
    for (const [key, value] of Object.entries(pdb.spec.selector.matchLabels)) assert.equal(podLabels[key], value);
  });

  test("renders a ServiceMonitor only when enabled, scraping /q/metrics on the management Service", () => {
    assert.ok(!kinds(render()).includes("ServiceMonitor"));
    const objects = render({ serviceMonitor: { enabled: true, labels: { release: "prom" } } });
    const monitor = only(objects, "ServiceMonitor");
    assert.equal(monitor.metadata.labels.release, "prom");
    assert.deepEqual(
      { port: monitor.spec.endpoints[0].port, path: monitor.spec.endpoints[0].path },
      { port: "management", path: "/q/metrics" },
    );
    const selected = objects.filter(
      (o) => o.kind === "Service" && Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels[k] === v),
    );
    assert.deepEqual(selected.map((s) => s.spec.ports.map((p) => p.port)), [[9000]]);
  });

  test("has separate Services for the API (8080) and the management interface (9000)", () => {
    const objects = render();
    const services = objects.filter((o) => o.kind === "Service");
    const ports = Object.fromEntries(services.map((s) => [s.metadata.name, s.spec.ports.map((p) => [p.port, p.targetPort])]));
    assert.deepEqual(ports, {
      "test-execution-poller": [[8080, "http"]],
      "test-execution-poller-management": [[9000, "management"]],
    });
  });

  test("NetworkPolicy allows only API and management ingress, and DNS, PostgreSQL and HTTPS egress", () => {
    const policy = only(render(), "NetworkPolicy").spec;
    const ports = (rules) => rules.flatMap((r) => r.ports.map((p) => `${p.port}/${p.protocol}`)).sort();
    assert.deepEqual(policy.policyTypes, ["Ingress", "Egress"]);
    assert.deepEqual(ports(policy.ingress), ["8080/TCP", "9000/TCP"]);
    assert.deepEqual(ports(policy.egress), ["443/TCP", "53/TCP", "53/UDP", "5432/TCP"]);
    const custom = only(render({ database: { port: 6432 }, networkPolicy: { databaseTo: [{ ipBlock: { cidr: "10.0.0.0/8" } }] } }), "NetworkPolicy");
    const databaseRule = custom.spec.egress.find((r) => r.ports[0].port === 6432);
    assert.deepEqual(databaseRule.to, [{ ipBlock: { cidr: "10.0.0.0/8" } }]);
  });

  test("appends extraEnv to the container environment", () => {
    const env = container(render({ extraEnv: [{ name: "TZ", value: "UTC" }] })).env;
    assert.deepEqual(env.at(-1), { name: "TZ", value: "UTC" });
  });

  test("NOTES.txt tells how to reach the API and the management endpoints", () => {
    const notes = readFileSync(join(CHART_DIR, "templates/NOTES.txt"), "utf8");
    for (const text of ["8080", "/api/v1", "/q/openapi", "9000", "/q/health", "/q/metrics"]) {
      assert.ok(notes.includes(text), `NOTES.txt does not mention ${text}`);
    }
  });
});

describe("plain manifests", () => {
  test("deploy/kubernetes matches the chart (regenerate: validate.sh --update-manifests)", () => {
    const expected = renderPlainManifests();
    assert.deepEqual(plainManifestsOnDisk(), [...expected.keys()].sort(), "file list differs");
    for (const [path, content] of expected) {
      assert.equal(readFileSync(join(PLAIN_DIR, path), "utf8"), content, `deploy/kubernetes/${path} is out of date`);
    }
  });

  test("contain placeholders only, no credentials", () => {
    const secret = only(readManifests("20-secret.yaml"), "Secret");
    for (const [key, value] of Object.entries(secret.stringData)) {
      assert.match(value, /CHANGE-ME/, `Secret key ${key} must be a CHANGE-ME placeholder`);
    }
  });
});

describe("monitoring (deploy/monitoring)", () => {
  const MONITORING = join(REPO_ROOT, "deploy/monitoring");
  const shippedRules = () => parse(readFileSync(join(MONITORING, "alerts.yaml"), "utf8"));
  const shippedDashboard = () => readFileSync(join(MONITORING, "grafana-dashboard.json"), "utf8");

  test("renders neither the PrometheusRule nor the dashboard ConfigMap by default", () => {
    const objects = render();
    assert.ok(!kinds(objects).includes("PrometheusRule"));
    assert.ok(!objects.some((o) => o.kind === "ConfigMap" && o.metadata.name.endsWith("-dashboard")));
  });

  test("installs the shipped alerting rules as a PrometheusRule when enabled", () => {
    const rule = only(render({ prometheusRule: { enabled: true, labels: { release: "prom" } } }), "PrometheusRule");
    assert.equal(rule.apiVersion, "monitoring.coreos.com/v1");
    assert.equal(rule.metadata.labels.release, "prom");
    assert.deepEqual(rule.spec.groups, shippedRules().groups);
    const alerts = rule.spec.groups.flatMap((g) => g.rules.map((r) => r.alert));
    assert.equal(alerts.length, 7);
  });

  test("makes the runbook links absolute when given where the docs are published", () => {
    const rule = only(
      render({ prometheusRule: { enabled: true, runbookBaseUrl: "https://docs.example.com/ep/" } }),
      "PrometheusRule",
    );
    for (const r of rule.spec.groups.flatMap((g) => g.rules)) {
      assert.match(r.annotations.runbook_url, /^https:\/\/docs\.example\.com\/ep\/src\/docs\/runbook\.md#alert-/);
      assert.equal(r.expr, shippedRules().groups[0].rules.find((s) => s.alert === r.alert).expr);
    }
  });

  test("installs the shipped dashboard as a ConfigMap the Grafana sidecar picks up when enabled", () => {
    const objects = render({ grafanaDashboard: { enabled: true, namespace: "monitoring", folder: "AMC" } });
    const map = only(objects, "ConfigMap", "test-execution-poller-dashboard");
    assert.equal(map.metadata.namespace, "monitoring");
    assert.equal(map.metadata.labels.grafana_dashboard, "1");
    assert.equal(map.metadata.annotations.grafana_folder, "AMC");
    assert.deepEqual(JSON.parse(map.data["execution-poller.json"]), JSON.parse(shippedDashboard()));
  });

  test("labels the dashboard ConfigMap as the sidecar is configured", () => {
    const map = only(
      render({ grafanaDashboard: { enabled: true, sidecarLabel: "grafana.example/dashboard", sidecarLabelValue: "yes" } }),
      "ConfigMap",
      "test-execution-poller-dashboard",
    );
    assert.equal(map.metadata.labels["grafana.example/dashboard"], "yes");
    assert.equal(map.metadata.namespace, "default", "the release's namespace");
  });

  test("takes both files from deploy/monitoring (the chart's files/ link there)", () => {
    for (const name of ["alerts.yaml", "grafana-dashboard.json"]) {
      assert.equal(
        readFileSync(join(CHART_DIR, "files", name), "utf8"),
        readFileSync(join(MONITORING, name), "utf8"),
        `helm/execution-poller/files/${name}`,
      );
      assert.ok(lstatSync(join(CHART_DIR, "files", name)).isSymbolicLink(), `files/${name} is a link, not a copy`);
    }
  });
});
