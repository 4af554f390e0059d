/** The README's five-minute example works as written: the file it shows, run by Node against the platform. */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { employerWithJob, testbed } from "./platform";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

describe("README example", () => {
  it("is the README's code, and applies to a job against the platform", async () => {
    const example = readFileSync(here("../examples/quickstart.mjs"), "utf8");
    expect(readFileSync(here("../README.md"), "utf8")).toContain(example.trim());
    const { job } = await employerWithJob();
    const out = execFileSync(process.execPath, [here("../examples/quickstart.mjs")], {
      env: { ...process.env, IWORKZ_EDGE: testbed().edge, IWORKZ_FOLLOW: "0" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(out).toMatch(/\d+ jobs; the best paid: /);
    expect(out).toMatch(/applied: employers\/[0-9a-f-]+\/jobs\/[0-9a-f-]+\/applications\/[0-9a-f-]+/);
    expect(job.name).toMatch(/^employers\//);
  });
});
