// The plain manifests in deploy/kubernetes are generated from the Helm chart, so there is one source of
// truth. This module renders them; chart.test.mjs checks that the committed files are up to date.
// Regenerate with: bash src/test/deploy/validate.sh --update-manifests
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { CHART_DIR, REPO_ROOT, helmTemplate, parseManifests } from "./helm.mjs";

export const PLAIN_DIR = join(REPO_ROOT, "deploy/kubernetes");
const NAMESPACE = "execution-poller";
const VALUES = join(REPO_ROOT, "src/test/deploy/plain-values.yaml");

// File name (apply order) for each kind. A kind missing here fails the generation on purpose.
const FILE_BY_KIND = {
  Namespace: "00-namespace.yaml",
  ConfigMap: "10-configmap.yaml",
  Secret: "20-secret.yaml",
  Service: "30-services.yaml",
  Deployment: "40-deployment.yaml",
  PodDisruptionBudget: "50-poddisruptionbudget.yaml",
  NetworkPolicy: "60-networkpolicy.yaml",
  ServiceMonitor: "optional/servicemonitor.yaml",
};

const HEADER = [
  "# Generated from helm/execution-poller with src/test/deploy/plain-values.yaml. Do not edit by hand:",
  "# change the chart, then run `bash src/test/deploy/validate.sh --update-manifests`.",
];
const NOTES = {
  "20-secret.yaml": [
    "# Template only: replace every CHANGE-ME before applying, or remove this file from your copy and create",
    "# the Secret with `kubectl create secret generic` (see src/docs/deploy.md); applying it overwrites that Secret.",
    "# Never commit real values.",
  ],
  "optional/servicemonitor.yaml": ["# Optional: needs the Prometheus Operator CRDs (monitoring.coreos.com/v1)."],
};

const namespace = {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: {
    name: NAMESPACE,
    // The pods meet the "restricted" Pod Security Standard; enforce it.
    labels: { "pod-security.kubernetes.io/enforce": "restricted" },
  },
};

// Metadata that only makes sense for a Helm release: chart and version labels, and the checksum
// annotations that roll pods on `helm upgrade` (with plain manifests, use `kubectl rollout restart`).
function dropReleaseMetadata(metadata) {
  if (!metadata) return;
  for (const label of ["helm.sh/chart", "app.kubernetes.io/managed-by", "app.kubernetes.io/version"]) {
    delete metadata.labels?.[label];
  }
  for (const annotation of Object.keys(metadata.annotations ?? {})) {
    if (annotation.startsWith("checksum/")) delete metadata.annotations[annotation];
  }
  if (metadata.annotations && Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
}

/** Returns the plain manifests as a map of path (relative to deploy/kubernetes) to file content. */
export function renderPlainManifests() {
  const rendered = helmTemplate([NAMESPACE, CHART_DIR, "--namespace", NAMESPACE, "-f", VALUES]);
  const files = new Map();
  for (const doc of [namespace, ...parseManifests(rendered)]) {
    const file = FILE_BY_KIND[doc.kind];
    if (!file) throw new Error(`no plain manifest file for kind ${doc.kind}: add it to FILE_BY_KIND`);
    dropReleaseMetadata(doc.metadata);
    dropReleaseMetadata(doc.spec?.template?.metadata);
    const previous = files.get(file) ?? [...HEADER, ...(NOTES[file] ?? [])].join("\n") + "\n";
    const separator = files.has(file) ? "---\n" : "";
    files.set(file, previous + separator + stringify(doc, { lineWidth: 0 }));
  }
  return files;
}

/** Paths (relative to deploy/kubernetes) of the YAML files currently on disk. */
export function plainManifestsOnDisk() {
  return readdirSync(PLAIN_DIR, { recursive: true })
    .filter((path) => path.endsWith(".yaml") || path.endsWith(".yml"))
    .sort();
}

function write() {
  const files = renderPlainManifests();
  for (const stale of plainManifestsOnDisk().filter((path) => !files.has(path))) {
    rmSync(join(PLAIN_DIR, stale));
    console.log(`removed ${relative(REPO_ROOT, join(PLAIN_DIR, stale))}`);
  }
  for (const [path, content] of files) {
    mkdirSync(dirname(join(PLAIN_DIR, path)), { recursive: true });
    writeFileSync(join(PLAIN_DIR, path), content);
  }
  console.log(`wrote ${files.size} files to ${relative(REPO_ROOT, PLAIN_DIR)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] !== "--write") {
    console.error("usage: node plain-manifests.mjs --write");
    process.exit(2);
  }
  write();
}
