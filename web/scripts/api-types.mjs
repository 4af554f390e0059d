// API types from the platform's contracts, at build time (never committed):
//   .api/openapi.json  the document the edge serves at /openapi.json (python -m gateway.openapi, offline)
//   .api/schema.ts     its TypeScript types and enum values (openapi-typescript)
// Skipped when the descriptor image has not changed since the last run.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const web = path.resolve(import.meta.dirname, "..");
const root = path.resolve(web, "..");
const image = process.env.IWORKZ_IMAGE || path.join(root, "build", "iworkz.binpb");
const python = process.env.IWORKZ_PYTHON || path.join(root, ".venv", "bin", "python");
const out = path.join(web, ".api");
const stamp = path.join(out, "image.sha256");

if (!existsSync(image)) {
  console.error(`no descriptor image at ${image}: run \`make proto\` in ${root}`);
  process.exit(1);
}
const digest = createHash("sha256").update(readFileSync(image)).digest("hex");
if (existsSync(stamp) && readFileSync(stamp, "utf8") === digest && existsSync(path.join(out, "schema.ts"))) {
  process.exit(0);
}
mkdirSync(out, { recursive: true });
execFileSync(python, ["-m", "gateway.openapi", path.join(out, "openapi.json"), "--image", image], {
  cwd: root,
  stdio: "inherit",
});
execFileSync(
  process.execPath,
  [
    path.join(web, "node_modules", "openapi-typescript", "bin", "cli.js"),
    path.join(out, "openapi.json"),
    "-o",
    path.join(out, "schema.ts"),
    "--enum-values",
  ],
  { cwd: web, stdio: "inherit" },
);
writeFileSync(stamp, digest);
