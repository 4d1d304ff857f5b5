// Static checks of deploy/Dockerfile: the image cannot be built on the CI machine (no Docker engine).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "./helm.mjs";

const dockerfile = readFileSync(join(REPO_ROOT, "deploy/Dockerfile"), "utf8");
const instructions = dockerfile
  .replace(/\\\n\s*/g, " ")
  .split("\n")
  .filter((line) => line.trim() && !line.trim().startsWith("#"));
const all = (keyword) => instructions.filter((line) => line.startsWith(`${keyword} `)).map((line) => line.slice(keyword.length + 1));

test("base image is pinned to a version tag", () => {
  const from = all("FROM");
  assert.equal(from.length, 1);
  assert.match(from[0], /^[\w./-]+:\d[\w.-]*$/, `unpinned base image: ${from[0]}`);
});

test("runs as a numeric non-root user", () => {
  const user = all("USER").at(-1);
  assert.match(user ?? "", /^[1-9]\d*(:\d+)?$/, "USER must be a numeric non-root uid (runAsNonRoot needs it)");
});

test("copies the Quarkus fast-jar layout", () => {
  const copied = all("COPY").join("\n");
  for (const part of ["lib/", "app/", "quarkus/", "quarkus-run.jar"]) {
    assert.ok(copied.includes(`target/quarkus-app/${part}`), `missing COPY of target/quarkus-app/${part}`);
  }
  assert.match(all("ENTRYPOINT").at(-1), /quarkus-run\.jar/);
});

test("sizes the heap from the container memory limit", () => {
  assert.match(all("ENV").join(" "), /-XX:MaxRAMPercentage=/);
});

test("exposes the API and management ports", () => {
  assert.deepEqual(all("EXPOSE").join(" ").split(/\s+/).sort(), ["8080", "9000"]);
});

test("bakes in no credentials", () => {
  assert.doesNotMatch(all("ENV").join(" "), /PASSWORD|SECRET|TOKEN|CLIENT_ID/i);
  assert.doesNotMatch(dockerfile, /^\s*ARG\s+\w*(PASSWORD|SECRET|TOKEN)/im);
});
