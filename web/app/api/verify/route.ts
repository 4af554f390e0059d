import { NextResponse, type NextRequest } from "next/server";
import { errorResponse, refuseCsrf } from "@/lib/bff";
import { verifyInput } from "@/lib/verify";

/** POST {input}: verify what a (possibly logged-out) verifier pasted or uploaded. Same-origin only. */
export async function POST(req: NextRequest) {
  const refused = refuseCsrf(req, false);
  if (refused) return refused;
  const body = await req.json().catch(() => null);
  if (!body || typeof body.input !== "string" || body.input.length > 1_000_000) {
    return errorResponse(400, 3, "input: paste a credential, a presentation or a share link");
  }
  return NextResponse.json(await verifyInput(body.input));
}
