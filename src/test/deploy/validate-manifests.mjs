// Validates Kubernetes manifests offline against the API schemas shipped in kubernetes-models.
// Usage: node validate-manifests.mjs FILE... (multi-document YAML; "-" reads standard input).
// Exits 1 when any document is invalid. Custom resources (CRDs) have no schema here: they are
// skipped with a message after a structural check (apiVersion, kind, metadata.name).
// Limitation: the schemas do not reject unknown fields, so a misspelt optional field passes;
// chart.test.mjs asserts the fields that matter.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const CUSTOM_RESOURCE_GROUPS = new Set(["monitoring.coreos.com"]);

async function validateDocument(doc) {
  const { apiVersion, kind, metadata } = doc ?? {};
  if (typeof apiVersion !== "string" || typeof kind !== "string" || typeof metadata?.name !== "string") {
    return { status: "invalid", reason: "apiVersion, kind and metadata.name are required" };
  }
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  if (CUSTOM_RESOURCE_GROUPS.has(group)) {
    return { status: "skipped", reason: `custom resource (${group}): no schema available offline` };
  }
  let models;
  try {
    models = await import(`kubernetes-models/${apiVersion}`);
  } catch {
    return { status: "invalid", reason: `no schema for apiVersion ${apiVersion} (a CRD must be listed in CUSTOM_RESOURCE_GROUPS)` };
  }
  const Model = models[kind];
  if (typeof Model !== "function") {
    return { status: "invalid", reason: `unknown kind ${kind} in ${apiVersion}` };
  }
  try {
    new Model(doc).validate();
    return { status: "valid" };
  } catch (error) {
    return { status: "invalid", reason: error.message };
  }
}

async function validateYaml(text, source) {
  const counts = { valid: 0, skipped: 0, invalid: 0 };
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      counts.invalid++;
      console.log(`INVALID ${source}: YAML error: ${document.errors[0].message}`);
      continue;
    }
    const doc = document.toJS();
    if (doc === null) continue;
    const result = await validateDocument(doc);
    counts[result.status]++;
    const name = `${doc?.kind ?? "?"}/${doc?.metadata?.name ?? "?"}`;
    if (result.status === "invalid") console.log(`INVALID ${source} ${name}: ${result.reason}`);
    if (result.status === "skipped") console.log(`skipped ${source} ${name}: ${result.reason}`);
  }
  return counts;
}

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node validate-manifests.mjs FILE...");
    process.exit(2);
  }
  const total = { valid: 0, skipped: 0, invalid: 0 };
  for (const file of files) {
    const text = readFileSync(file === "-" ? 0 : file, "utf8");
    const counts = await validateYaml(text, file === "-" ? "<stdin>" : file);
    for (const key of Object.keys(total)) total[key] += counts[key];
  }
  console.log(`schema: ${total.valid} valid, ${total.skipped} skipped (custom resources), ${total.invalid} invalid`);
  if (total.invalid > 0 || total.valid === 0) process.exit(1);
}

await main(process.argv.slice(2));
