// What the platform emailed (the testbed's SMTP sink keeps .eml files in its state folder) and TOTP codes
// as an authenticator app makes them: what a person would read on their phone.
import { expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");
const PYTHON = path.join(ROOT, ".venv", "bin", "python");
const READ = `
import json, sys
from devstack.smtp_sink import list_mail
print(json.dumps([m.text for m in list_mail(sys.argv[1]) if sys.argv[2] in m.to]))
`;

function texts(to: string): string[] {
  const state = process.env.IWORKZ_E2E_STATE;
  if (!state) throw new Error("IWORKZ_E2E_STATE is not set (global-setup sets it from the testbed)");
  return JSON.parse(execFileSync(PYTHON, ["-c", READ, path.join(state, "state", "mail"), to], { cwd: ROOT, encoding: "utf8" }));
}

/** The path and query of the newest link to `pathname` in the emails to `to`, once one has arrived. */
export async function mailedLink(to: string, pathname: string, notIn: string[] = []): Promise<string> {
  const pattern = new RegExp(`https?://[^\\s"'<>]*${pathname.replace("/", "\\/")}\\?token=[A-Za-z0-9_.~-]+`, "g");
  let found = "";
  await expect
    .poll(
      () => {
        const links = texts(to).flatMap((t) => t.match(pattern) ?? []).map((l) => new URL(l)).map((u) => u.pathname + u.search);
        found = links.filter((l) => !notIn.includes(l)).pop() ?? "";
        return found;
      },
      { message: `an email to ${to} with a ${pathname} link`, timeout: 90_000 },
    )
    .not.toBe("");
  return found;
}

function base32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((b) => parseInt(b, 2)));
}

/** RFC 6238: 30-second steps, 6 digits, HMAC-SHA-1 (what identity enrols). */
export function totp(secret: string, at = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}
