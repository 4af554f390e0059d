/** Where the platform's edge is. */
import { Platform } from "react-native";

/**
 * The edge URL. On the web: `?edge=` in the page's address, else the build's
 * EXPO_PUBLIC_IWORKZ_EDGE, else port 8443 of the host that served the page.
 * On a phone: EXPO_PUBLIC_IWORKZ_EDGE (make up prints it), else the local edge.
 */
export function edgeUrl(): string {
  const built = process.env.EXPO_PUBLIC_IWORKZ_EDGE;
  if (Platform.OS === "web" && typeof window !== "undefined" && window.location) {
    const given = new URLSearchParams(window.location.search).get("edge");
    if (given) return given.replace(/\/$/, "");
    if (built) return built;
    return `https://${window.location.hostname}:8443`;
  }
  return built ?? "https://127.0.0.1:8443";
}
