import type { NextRequest } from "next/server";
import { startSession } from "@/lib/bff";

/** POST {email, password}: logs in at the edge; the tokens go into httpOnly cookies, the user comes back. */
export async function POST(req: NextRequest) {
  return startSession(req, "/v1/auth:login");
}
