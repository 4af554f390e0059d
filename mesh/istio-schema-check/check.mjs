// Validate the Istio resources in YAML files against Istio's CRD schemas
// (@kubernetes-models/istio), offline. Besides the schema (types, enums,
// required fields), unknown fields are errors, as `kubectl apply` (strict
// field validation) would report them: Istio would otherwise drop a
// misspelt field silently.
//
//   node check.mjs [--json] FILE_OR_DIR...
//
// Exit status: 0 all Istio resources valid, 1 some invalid (or none found), 2 bad usage.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import * as extensionsV1alpha1 from "@kubernetes-models/istio/extensions.istio.io/v1alpha1";
import * as networkingV1 from "@kubernetes-models/istio/networking.istio.io/v1";
import * as networkingV1alpha3 from "@kubernetes-models/istio/networking.istio.io/v1alpha3";
import * as networkingV1beta1 from "@kubernetes-models/istio/networking.istio.io/v1beta1";
import * as securityV1 from "@kubernetes-models/istio/security.istio.io/v1";
import * as securityV1beta1 from "@kubernetes-models/istio/security.istio.io/v1beta1";
import * as telemetryV1 from "@kubernetes-models/istio/telemetry.istio.io/v1";

const MODELS = {
  "extensions.istio.io/v1alpha1": extensionsV1alpha1,
  "networking.istio.io/v1": networkingV1,
  "networking.istio.io/v1alpha3": networkingV1alpha3,
  "networking.istio.io/v1beta1": networkingV1beta1,
  "security.istio.io/v1": securityV1,
  "security.istio.io/v1beta1": securityV1beta1,
  "telemetry.istio.io/v1": telemetryV1,
};

function isIstio(apiVersion) {
  return typeof apiVersion === "string" && apiVersion.split("/")[0].endsWith("istio.io");
}

// Wrap `value` so that every property the schema validator looks at is
// recorded. A property present in an object the validator inspected, but never
// looked at, is not in the schema. Objects whose keys the validator enumerates
// (maps, additionalProperties) or never inspects (free-form, such as an
// EnvoyFilter patch value) are left alone.
function tracked(value, where, seen) {
  if (value === null || typeof value !== "object") return value;
  const entry = { value, where, read: new Set(), enumerated: false };
  seen.push(entry);
  const children = new Map();
  return new Proxy(value, {
    get(target, prop, receiver) {
      const child = Reflect.get(target, prop, receiver);
      if (typeof prop !== "string") return child;
      entry.read.add(prop);
      if (child !== null && typeof child === "object" && Object.hasOwn(target, prop)) {
        if (!children.has(prop)) children.set(prop, tracked(child, `${where}.${prop}`, seen));
        return children.get(prop);
      }
      return child;
    },
    has(target, prop) {
      if (typeof prop === "string") entry.read.add(prop);
      return Reflect.has(target, prop);
    },
    ownKeys(target) {
      entry.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

function unknownFields(Model, model) {
  const seen = [];
  Model.prototype.validate.call(tracked(model, "", seen));
  const unknown = [];
  for (const { value, where, read, enumerated } of seen) {
    if (Array.isArray(value) || enumerated || read.size === 0) continue;
    for (const key of Object.keys(value)) {
      if (!read.has(key)) unknown.push(`${where}.${key}`.slice(1));
    }
  }
  return unknown;
}

export function checkDocument(doc) {
  const models = MODELS[doc.apiVersion];
  const Model = models && models[doc.kind];
  if (!Model) return `no Istio schema for ${doc.kind} in ${doc.apiVersion}`;
  try {
    const model = new Model(doc);
    model.validate();
    const unknown = unknownFields(Model, model);
    if (unknown.length) return `unknown field(s): ${unknown.join(", ")}`;
  } catch (err) {
    return err.message;
  }
  return null;
}

function yamlFiles(target) {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return [target];
  return fs
    .readdirSync(target)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(target, name));
}

function main(argv) {
  const json = argv.includes("--json");
  const targets = argv.filter((a) => a !== "--json");
  if (!targets.length) {
    console.error("usage: node check.mjs [--json] FILE_OR_DIR...");
    return 2;
  }
  const results = [];
  let skipped = 0;
  for (const file of targets.flatMap(yamlFiles)) {
    const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
    for (const parsed of docs) {
      if (parsed.errors.length) {
        results.push({ file, kind: "?", name: "?", error: `YAML: ${parsed.errors[0].message}` });
        continue;
      }
      const doc = parsed.toJS();
      if (!doc) continue;
      if (!isIstio(doc.apiVersion)) {
        skipped++;
        continue;
      }
      const name = `${doc.metadata?.namespace ?? ""}/${doc.metadata?.name ?? "?"}`;
      results.push({ file, kind: doc.kind, apiVersion: doc.apiVersion, name, error: checkDocument(doc) });
    }
  }
  const invalid = results.filter((r) => r.error);
  if (json) {
    console.log(JSON.stringify({ results, skipped }, null, 1));
  } else {
    for (const r of results) {
      console.log(`${r.error ? "ERROR" : "ok   "} ${r.file}: ${r.kind} ${r.name}${r.error ? ": " + r.error : ""}`);
    }
    console.log(`${results.length - invalid.length} Istio resources valid, ${invalid.length} invalid, ` +
                `${skipped} non-Istio documents skipped`);
  }
  return invalid.length || !results.length ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
