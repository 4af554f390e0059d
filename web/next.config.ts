import type { NextConfig } from "next";

// Served behind the edge (one origin with the API); no telemetry, no fonts fetched at build time.
const config: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // The repository's root holds other lockfiles (the Python venv's node); this folder is the app's root.
  turbopack: { root: import.meta.dirname },
  // `.next/standalone/`: server.js with only the node_modules it needs, what the container image runs
  // (deploy/images). `make up` still runs `next start`, which warns about this setting and works.
  output: "standalone",
  outputFileTracingRoot: import.meta.dirname,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "x-frame-options", value: "DENY" },
          { key: "referrer-policy", value: "same-origin" },
          { key: "permissions-policy", value: "camera=(), microphone=(self), geolocation=()" },
        ],
      },
    ];
  },
};

export default config;
