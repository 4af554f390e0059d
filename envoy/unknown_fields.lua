-- Refuses a REST request whose JSON body has a field its message does not define (HTTP 400,
-- INVALID_ARGUMENT naming the field), before the gRPC-JSON transcoder would drop it unseen.
--
-- ROUTES and MESSAGES are generated from the contracts above this text (envoy/edge_policy.py):
--   ROUTES   = { {method, Lua pattern of the path, body message, body field or ""}, ... } most
--              literal first;
--   MESSAGES = { [message] = { [json key] = check } } where check is 0 (value not looked into),
--              a message name (an object of that message, or a list of them) or
--              { message or "" } (a map: an object with any keys, values checked as that message).
-- A body that is not valid JSON is left to the transcoder, which refuses it with its own 400.

local byte, find, sub, char, format = string.byte, string.find, string.sub, string.char, string.format
local MAX_DEPTH = 64 -- deeper bodies are left to the transcoder (its own nesting limit refuses them)
local MAX_NAME = 200 -- how much of a refused field's name goes back in the error

local function skip_space(s, i)
  local _, e = find(s, "^[ \t\r\n]*", i)
  return e + 1
end

-- The raw text of a string starting at i (a quote) and the index after it, or nil if unterminated.
local function read_string(s, i)
  local j = i + 1
  while true do
    local k = find(s, '["\\]', j)
    if k == nil then
      return nil
    end
    if byte(s, k) == 92 then
      j = k + 2
    else
      return sub(s, i + 1, k - 1), k + 1
    end
  end
end

local ESCAPES = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

-- A key's escapes decoded (field names are ASCII: other characters stand as "?", never a known key).
local function decode(raw)
  if not find(raw, "\\", 1, true) then
    return raw
  end
  local out, i = {}, 1
  while true do
    local k = find(raw, "\\", i, true)
    if k == nil then
      out[#out + 1] = sub(raw, i)
      return table.concat(out)
    end
    out[#out + 1] = sub(raw, i, k - 1)
    local c = sub(raw, k + 1, k + 1)
    if c == "u" then
      local n = tonumber(sub(raw, k + 2, k + 5), 16) or 63
      out[#out + 1] = n < 128 and char(n) or "?"
      i = k + 6
    else
      out[#out + 1] = ESCAPES[c] or c
      i = k + 2
    end
  end
end

local check_value

-- An object at i (its opening brace) checked against `spec`: a message's keys, a map, or nil (any).
-- Returns the index after it, or nil with state.field set (an unknown field) or not (not JSON).
local function check_object(s, i, spec, path, depth, state)
  i = skip_space(s, i + 1)
  if byte(s, i) == 125 then
    return i + 1
  end
  while true do
    if byte(s, i) ~= 34 then
      return nil
    end
    local raw, j = read_string(s, i)
    if raw == nil then
      return nil
    end
    local key = decode(raw)
    local name = path == "" and key or path .. "." .. key
    i = skip_space(s, j)
    if byte(s, i) ~= 58 then
      return nil
    end
    local child = nil
    if spec ~= nil then
      if spec[1] ~= nil then -- a map
        child = MESSAGES[spec[1]]
      else
        local check = spec[key]
        if check == nil then
          state.field = name
          return nil
        end
        if type(check) == "string" then
          child = MESSAGES[check]
        elseif type(check) == "table" then
          child = check
        end
      end
    end
    i = check_value(s, i + 1, child, name, depth + 1, state)
    if i == nil then
      return nil
    end
    i = skip_space(s, i)
    local c = byte(s, i)
    if c == 44 then
      i = skip_space(s, i + 1)
    elseif c == 125 then
      return i + 1
    else
      return nil
    end
  end
end

check_value = function(s, i, spec, path, depth, state)
  if depth > MAX_DEPTH then
    return nil
  end
  i = skip_space(s, i)
  local c = byte(s, i)
  if c == 123 then
    return check_object(s, i, spec, path, depth, state)
  elseif c == 91 then
    i = skip_space(s, i + 1)
    if byte(s, i) == 93 then
      return i + 1
    end
    local n = 0
    while true do
      i = check_value(s, i, spec, format("%s[%d]", path, n), depth + 1, state)
      if i == nil then
        return nil
      end
      i = skip_space(s, i)
      c = byte(s, i)
      if c == 44 then
        n = n + 1
        i = i + 1
      elseif c == 93 then
        return i + 1
      else
        return nil
      end
    end
  elseif c == 34 then
    local _, j = read_string(s, i)
    return j
  end
  local _, e = find(s, "^[%w%.%+%-]+", i) -- numbers, true, false, null
  return e and e + 1 or nil
end

-- The first unknown field of a body of `message` (named from the request: `job.location.x`), or nil.
local function unknown_field(body, message, prefix)
  local state = {}
  check_value(body, 1, MESSAGES[message], prefix, 0, state)
  return state.field
end

-- A field name as the inside of a JSON string (shortened; bytes outside ASCII as "?").
local function json_text(text)
  if #text > MAX_NAME then
    text = sub(text, 1, MAX_NAME) .. "..."
  end
  local escaped = text:gsub('[%c"\\\128-\255]', function(c)
    local n = byte(c)
    return n < 128 and format("\\u%04x", n) or "?"
  end)
  return escaped
end

-- The message a request's body is, and the request field it fills ("" for the whole request).
local function body_message(method, path)
  path = path:gsub("%?.*$", "")
  for _, route in ipairs(ROUTES) do
    if route[1] == method and find(path, route[2]) then
      return route[3], route[4]
    end
  end
  return nil
end

function envoy_on_request(handle)
  local headers = handle:headers()
  local content_type = headers:get("content-type") or ""
  if find(content_type, "^application/grpc") then
    return -- gRPC and gRPC-web carry protobuf, not JSON
  end
  local message, prefix = body_message(headers:get(":method") or "", headers:get(":path") or "")
  if message == nil then
    return
  end
  local body = handle:body()
  if body == nil or body:length() == 0 then
    return
  end
  local field = unknown_field(body:getBytes(0, body:length()), message, prefix)
  if field == nil then
    return
  end
  local name = json_text(field)
  -- Marks the reply as already shaped: the local-reply mappers leave it as it is.
  handle:streamInfo():dynamicMetadata():set("iworkz", "shaped_reply", true)
  handle:respond(
    { [":status"] = "400", ["content-type"] = "application/json" },
    '{"code":3,"message":"invalid request: '
      .. name
      .. ': unknown field","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest",'
      .. '"fieldViolations":[{"field":"'
      .. name
      .. '","description":"unknown field"}]}]}'
  )
end
