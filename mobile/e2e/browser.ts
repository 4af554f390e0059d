/** How the tests start Debian's Chromium: headless, quiet, trusting exactly the test platform's edge certificate. */
import { createHash, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

// Chromium trusts exactly the test platform's edge certificate (its public key), nothing else.
function edgeKeyPin(): string[] {
  const info = process.env.IWORKZ_TESTBED;
  if (!info) return [];
  const { ca } = JSON.parse(readFileSync(info, "utf8"));
  const cert = new X509Certificate(readFileSync(join(ca, "..", "server.pem")));
  const spki = cert.publicKey.export({ type: "spki", format: "der" });
  return [`--ignore-certificate-errors-spki-list=${createHash("sha256").update(spki).digest("base64")}`];
}

export const CHROMIUM = "/usr/bin/chromium";

export function chromiumArgs(): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    ...edgeKeyPin(),
  ];
}
