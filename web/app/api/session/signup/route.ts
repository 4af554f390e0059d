import type { NextRequest } from "next/server";
import { startSession } from "@/lib/bff";

/** POST the SignUp request's JSON: creates the account and starts its session (cookies). */
export async function POST(req: NextRequest) {
  return startSession(req, "/v1/auth:signUp");
}
