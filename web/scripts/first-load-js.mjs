// First-load JavaScript per route, gzip-compressed, computed from `next build`'s manifests (Next 16 no
// longer prints it). A route's first load is the runtime every page loads (build-manifest.json's
// rootMainFiles) plus the client chunks of its layouts and page (the entryJSFiles of the route's
// client-reference manifest); polyfills load only in old browsers (nomodule) and are left out, as Next
// did. gzip level 9, 1 kB = 1000 bytes.
//
//   node scripts/first-load-js.mjs [--budget 200] [--json FILE]
//
// Prints a table and exits 1 when a worker page (/worker..., /jobs...) is over the budget in kB.
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { gzipSync } from "node:zlib";

const NEXT = path.resolve(import.meta.dirname, "..", ".next");
const WORKER = /^\/(worker|jobs)(\/|$)/;

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
}

function manifests(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...manifests(full));
    else if (entry === "page_client-reference-manifest.js") found.push(full);
  }
  return found;
}

/** Each route's `entryJSFiles` (the manifest is a script assigning globalThis.__RSC_MANIFEST[route]). */
function routeEntries(file) {
  const sandbox = { globalThis: {} };
  vm.runInNewContext(readFileSync(file, "utf8"), sandbox);
  return Object.entries(sandbox.globalThis.__RSC_MANIFEST ?? {}).map(([key, manifest]) => ({
    route: key.replace(/\/page$/, "") || "/",
    files: Object.values(manifest.entryJSFiles ?? {}).flat(),
  }));
}

const sizes = new Map();
function gzipped(file) {
  if (!sizes.has(file)) sizes.set(file, gzipSync(readFileSync(path.join(NEXT, file)), { level: 9 }).length);
  return sizes.get(file);
}

export function firstLoad() {
  const build = JSON.parse(readFileSync(path.join(NEXT, "build-manifest.json"), "utf8"));
  const shared = build.rootMainFiles ?? [];
  const routes = manifests(path.join(NEXT, "server", "app"))
    .flatMap(routeEntries)
    .filter((r) => !r.route.startsWith("/_"))
    .map(({ route, files }) => {
      const all = [...new Set([...shared, ...files])].filter((f) => f.endsWith(".js"));
      return { route, bytes: all.reduce((sum, f) => sum + gzipped(f), 0), files: all.length };
    })
    .sort((a, b) => a.route.localeCompare(b.route));
  return { shared: shared.reduce((sum, f) => sum + gzipped(f), 0), routes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const budget = Number(option("--budget", "200"));
  const { shared, routes } = firstLoad();
  const kB = (n) => (n / 1000).toFixed(1).padStart(7) + " kB";
  const width = Math.max(...routes.map((r) => r.route.length));
  console.log(`First-load JS (gzip), shared by all: ${kB(shared).trim()}; worker pages' budget ${budget} kB`);
  let over = 0;
  for (const r of routes) {
    const worker = WORKER.test(r.route);
    const bad = worker && r.bytes > budget * 1000;
    if (bad) over += 1;
    console.log(`  ${r.route.padEnd(width)} ${kB(r.bytes)}${worker ? (bad ? "  OVER BUDGET" : "  worker") : ""}`);
  }
  const json = option("--json", path.join(NEXT, "first-load-js.json"));
  writeFileSync(json, JSON.stringify({ budgetKb: budget, sharedBytes: shared, routes }, null, 1));
  if (over) {
    console.error(`first-load-js: ${over} worker page(s) over ${budget} kB gzip`);
    process.exit(1);
  }
}
