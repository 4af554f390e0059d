import { NextResponse, type NextRequest } from "next/server";
import { refreshTokens } from "@/lib/bff";
import { CSRF_COOKIE, dropTokens, keepTokens } from "@/lib/session";

/** GET ?next=/path: a page found the access token expired; rotate the tokens and go back (or to login). */
export async function GET(req: NextRequest) {
  const next = req.nextUrl.searchParams.get("next") || "/";
  const safeNext = next.startsWith("/") && !next.startsWith("//") ? next : "/";
  const tokens = await refreshTokens(req);
  const base = `${req.headers.get("x-forwarded-proto") || "https"}://${req.headers.get("host")}`;
  if (!tokens) {
    const out = NextResponse.redirect(new URL(`/login?next=${encodeURIComponent(safeNext)}`, base), 303);
    dropTokens(out.cookies);
    return out;
  }
  const out = NextResponse.redirect(new URL(safeNext, base), 303);
  keepTokens(out.cookies, tokens, req.cookies.get(CSRF_COOKIE)?.value);
  return out;
}
