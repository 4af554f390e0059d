import { NextResponse, type NextRequest } from "next/server";
import { refuseCsrf } from "@/lib/bff";
import { ACCESS_COOKIE, REFRESH_COOKIE, apiBase, dropTokens } from "@/lib/session";

/** POST: revokes the refresh token at the edge and clears the session's cookies. */
export async function POST(req: NextRequest) {
  const refused = refuseCsrf(req);
  if (refused) return refused;
  const access = req.cookies.get(ACCESS_COOKIE)?.value;
  const refreshToken = req.cookies.get(REFRESH_COOKIE)?.value;
  if (refreshToken) {
    await fetch(`${apiBase()}/v1/auth:logout`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(access ? { authorization: `Bearer ${access}` } : {}) },
      body: JSON.stringify({ refreshToken }),
      cache: "no-store",
    }).catch(() => undefined);
  }
  const out = NextResponse.json({});
  dropTokens(out.cookies);
  return out;
}
