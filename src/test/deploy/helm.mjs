// Runs the pinned helm binary that validate.sh installs (path in $HELM, or the default tools cache).
import { execFileSync } from "node:child_process";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const CHART_DIR = join(REPO_ROOT, "helm/execution-poller");

const toolsDir = process.env.DEPLOY_TOOLS_DIR || join(homedir(), ".cache/execution-poller-deploy-tools");
export const HELM = process.env.HELM || join(toolsDir, "helm-v3.17.2/helm");

/**
 * Runs `helm template ARGS` and returns the rendered YAML; `input` is passed on standard input
 * (for `-f -`). Throws with helm's error message on failure.
 */
export function helmTemplate(args, input = "") {
  try {
    return execFileSync(HELM, ["template", ...args], { cwd: REPO_ROOT, encoding: "utf8", input, stdio: "pipe" });
  } catch (error) {
    throw new Error(`helm template failed: ${error.stderr || error.message}`);
  }
}

/** Parses multi-document YAML into plain objects, failing on any YAML error (e.g. duplicate keys). */
export function parseManifests(text) {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw document.errors[0];
      return document.toJS();
    })
    .filter((doc) => doc !== null);
}
