-- Cache-Control of the web app's responses, set at the edge (the local edge and the Istio ingress
-- gateway run this same text), ready for a CDN in front: the header depends on the upstream's status
-- and on the header the app sent, which Envoy's static header rules cannot express.
--
-- HASHED and IMMUTABLE are generated above this text (envoy/edge_policy.py), one script per kind of
-- route (the routes name theirs in a LuaPerRoute):
--   HASHED = true   the build's content-hashed files (Next.js `/_next/static/`): a name never changes
--                   content, so a found file (200, 304) is kept a year (IMMUTABLE); anything else under
--                   that prefix (a file of another build during a rollout: 404) must not be kept;
--   HASHED = false  pages (HTML, React Server Component payloads): revalidated on every use
--                   (`no-cache`), so a deploy is seen at once and a CDN never serves old HTML naming
--                   files that are gone; a page the app marked `no-store` (signed-in content) keeps it.

function envoy_on_response(handle)
  local headers = handle:headers()
  if HASHED then
    local status = headers:get(":status")
    if status == "200" or status == "304" then
      headers:replace("cache-control", IMMUTABLE)
    else
      headers:replace("cache-control", "no-store")
    end
  else
    local given = headers:get("cache-control") or ""
    if not string.find(given, "no-store", 1, true) then
      headers:replace("cache-control", "no-cache")
    end
  end
end
