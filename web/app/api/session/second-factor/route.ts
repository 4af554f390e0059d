import { NextResponse, type NextRequest } from "next/server";
import { errorResponse, refuseCsrf } from "@/lib/bff";
import { CHALLENGE_COOKIE, apiBase, dropChallenge, keepTokens } from "@/lib/session";

/** POST {code}: the second step of a login (a TOTP or recovery code) with the challenge kept in a cookie by
 * the first; the tokens go into httpOnly cookies, the user comes back. */
export async function POST(req: NextRequest) {
  const refused = refuseCsrf(req, false);
  if (refused) return refused;
  const challenge = req.cookies.get(CHALLENGE_COOKIE)?.value;
  if (!challenge) return errorResponse(401, 16, "the sign-in step expired; log in again");
  const { code } = await req.json().catch(() => ({ code: "" }));
  const response = await fetch(`${apiBase()}/v1/auth:verifySecondFactor`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ challenge, code: String(code ?? "").trim() }),
    cache: "no-store",
  });
  const data = await response.json().catch(() => ({ code: 13, message: "bad reply from the platform" }));
  if (!response.ok || !data.tokens) return NextResponse.json(data, { status: response.ok ? 502 : response.status });
  const out = NextResponse.json({ user: data.user, recoveryCodesLeft: data.recoveryCodesLeft ?? 0 });
  keepTokens(out.cookies, data.tokens);
  dropChallenge(out.cookies);
  return out;
}
