// dist/: ES modules (esbuild: the client and every generated file, shared code split out) and
// their type declarations (tsc). Run after `make proto` has generated src/gen/.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

function files(dir, suffix) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, suffix) : path.endsWith(suffix) ? [path] : [];
  });
}

rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: ["src/index.ts", ...files("src/gen", "_pb.ts")],
  outdir: "dist",
  outbase: "src",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  external: ["@bufbuild/protobuf", "@bufbuild/protobuf/*", "@connectrpc/connect", "@connectrpc/connect-web"],
  logLevel: "warning",
});
execFileSync("npx", ["tsc", "-p", "tsconfig.json", "--emitDeclarationOnly", "--outDir", "dist"], { stdio: "inherit" });
