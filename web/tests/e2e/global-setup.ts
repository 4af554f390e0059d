// Starts the whole platform (web app included) on free ports with python -m devstack.testbed, for the
// whole run; stops it afterwards. Tests read its address and logins from the environment.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

export default async function globalSetup() {
  if (process.env.IWORKZ_E2E_URL) return; // a platform given from outside (debugging)
  const ready = path.join(ROOT, "build", "e2e", `platform-${process.pid}.json`);
  rmSync(ready, { force: true });
  const testbed = spawn(path.join(ROOT, ".venv", "bin", "python"), ["-m", "devstack.testbed", "--ready-file", ready], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  let exited: number | null = null;
  testbed.on("exit", (code) => (exited = code ?? 1));
  const deadline = Date.now() + 15 * 60_000;
  while (!existsSync(ready)) {
    if (exited !== null) throw new Error(`the platform did not start (testbed exited with ${exited})`);
    if (Date.now() > deadline) {
      testbed.kill("SIGTERM");
      throw new Error("the platform did not start within 15 minutes");
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const info = JSON.parse(readFileSync(ready, "utf8"));
  process.env.IWORKZ_E2E_URL = info.url;
  process.env.IWORKZ_E2E_ADMIN_PASSWORD = info.admin_password;
  process.env.IWORKZ_E2E_DEMO_PASSWORD = info.demo_password;
  process.env.IWORKZ_E2E_STATE = info.state;
  return async () => {
    if (exited !== null) return;
    const done = new Promise((r) => testbed.on("exit", r));
    testbed.kill("SIGTERM");
    await done;
  };
}
