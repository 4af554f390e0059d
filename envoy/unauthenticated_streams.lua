-- Refuses a client-streaming gRPC call that carries no valid token, once the client has finished
-- sending its request (the JWT check before this filter lets such calls through unrefused).
--
-- Why not refuse on the headers, as every other call is: a client that streams its requests writes
-- its first message after the headers, and a refusal (trailers-only, then the stream reset) that
-- overtakes that write turns, in gRPC's own clients, the call's UNAUTHENTICATED into INTERNAL
-- ("Internal error from Core"). Refused once the request is complete, the call ends without a
-- reset, and every client sees UNAUTHENTICATED. Nothing reaches a service meanwhile; a client that
-- never finishes its request is cut by the edge's buffer limit and stream idle timeout.
--
-- STREAMS and SUBJECT are generated above this text (envoy/edge_policy.py): the gRPC paths of the
-- client-streaming RPCs that need a token, and the header the JWT check sets for a verified token.

function envoy_on_request(handle)
  local headers = handle:headers()
  if not STREAMS[headers:get(":path") or ""] or headers:get(SUBJECT) ~= nil then
    return
  end
  handle:body() -- the whole request: the client has finished writing when this returns
  handle:respond({
    [":status"] = "200",
    ["content-type"] = "application/grpc",
    ["grpc-status"] = "16",
    ["grpc-message"] = "Jwt is missing or invalid",
    ["www-authenticate"] = 'Bearer error="invalid_token"',
  }, "")
end
