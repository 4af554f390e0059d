// Starts the whole platform with the web app and the demo data on free ports (python -m devstack.testbed
// --demo --web) for the whole run, and stops it afterwards. Tests read its address from the environment.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");
const PYTHON = path.join(ROOT, ".venv", "bin", "python");

export default async function globalSetup() {
  process.env.IWORKZ_E2E_DEMO_PASSWORD ??= execFileSync(PYTHON, ["-c", "from devstack.demo.dataset import DEMO_PASSWORD; print(DEMO_PASSWORD)"], {
    cwd: ROOT,
    encoding: "utf8",
  }).trim();
  if (process.env.IWORKZ_E2E_URL) return; // a platform given from outside (debugging)
  mkdirSync(path.join(ROOT, "build", "e2e"), { recursive: true });
  const info = path.join(ROOT, "build", "e2e", `web-platform-${process.pid}.json`);
  rmSync(info, { force: true });
  const testbed = spawn(PYTHON, ["-m", "devstack.testbed", "--info", info, "--demo", "--web", "--start-timeout", "600"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  let exited: number | null = null;
  testbed.on("exit", (code) => (exited = code ?? 1));
  const deadline = Date.now() + 20 * 60_000;
  while (!existsSync(info)) {
    if (exited !== null) throw new Error(`the platform did not start (testbed exited with ${exited})`);
    if (Date.now() > deadline) {
      testbed.kill("SIGTERM");
      throw new Error("the platform did not start within 20 minutes");
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const ready = JSON.parse(readFileSync(info, "utf8"));
  process.env.IWORKZ_E2E_URL = ready.edge.replace("127.0.0.1", "localhost");
  process.env.IWORKZ_E2E_STATE = ready.state; // the SMTP sink's emails are under it (state/mail)
  return async () => {
    if (exited !== null) return;
    const done = new Promise((r) => testbed.on("exit", r));
    testbed.kill("SIGTERM");
    await done;
  };
}
