/** The app's one client of the platform: gRPC-web through the edge, streaming with expo/fetch. */
import { fetch as expoFetch } from "expo/fetch";
import { IworkzClient, type TokenStore } from "@iworkz/sdk";
import { edgeUrl } from "./config";
import { deviceTokenStore } from "./tokens";

export function createApi(baseUrl: string = edgeUrl(), tokenStore: TokenStore = deviceTokenStore()): IworkzClient {
  // React Native's built-in fetch cannot stream a response body; expo/fetch can (live updates, chat).
  return new IworkzClient({ baseUrl, tokenStore, fetch: expoFetch as unknown as typeof globalThis.fetch });
}
