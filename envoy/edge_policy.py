"""What the local edge (gateway/) and the Istio ingress gateway (mesh/istio/) share.

Browsers and apps must see one platform whichever edge answers: the same CORS
headers, the same JSON error shape for Envoy's own replies, the same
transcoding of REST/JSON (server streams as Server-Sent Events), the same
JWKS path.
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterable

from envoy.config import Json, typed

TRANSCODER = "envoy.filters.http.grpc_json_transcoder"
GRPC_WEB = "envoy.filters.http.grpc_web"
UNKNOWN_FIELDS = "envoy.filters.http.lua"  # refuses unknown JSON fields, just before the transcoder
UNKNOWN_FIELDS_SCRIPT = pathlib.Path(__file__).with_name("unknown_fields.lua")
UNAUTHENTICATED_STREAMS = "iworkz.unauthenticated_streams"  # after the JWT check (unauthenticated_streams.lua)
UNAUTHENTICATED_STREAMS_SCRIPT = pathlib.Path(__file__).with_name("unauthenticated_streams.lua")
# The verified token's subject. Clients cannot set it: both edges remove it from every request before
# any filter runs, and the JWT check sets it (jwt_authn's claim_to_headers; Istio's outputClaimToHeaders).
SUBJECT_HEADER = "x-iworkz-subject"
# Cache-Control of the web app's responses (web_cache.lua), on the web app's routes only.
WEB_CACHE = "iworkz.web_cache"
WEB_CACHE_SCRIPT = pathlib.Path(__file__).with_name("web_cache.lua")
# The web app's build output with a content hash in every file name (Next.js `/_next/static/`): a
# name never changes content, so browsers and a CDN in front of the edge keep it for a year.
WEB_HASHED_PREFIX = "/_next/static/"
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"
# web_cache.lua's scripts, by the name a route gives in its LuaPerRoute: hashed files, pages.
WEB_HASHED_SCRIPT = "web-hashed"
WEB_PAGES_SCRIPT = "web-pages"
# Dynamic metadata a filter sets on a reply it has already shaped as JSON: the mappers leave it alone.
SHAPED_REPLY = ("iworkz", "shaped_reply")
# identity's GetJwks binding (topology edge.jwt.jwks_service): where the signing keys are.
JWKS_PATH = "/.well-known/jwks.json"
# The content type the client sent, kept before grpc_web and the transcoder rewrite
# it, so that replies to REST calls (and only those) are made JSON.
CLIENT_CONTENT_TYPE_HEADER = "x-iworkz-client-content-type"
MAX_RESPONSE_BYTES = 16 * 1024 * 1024

# HTTP status of a local reply -> the gRPC code its JSON body carries (google.rpc.Code).
HTTP_TO_GRPC_CODE = {
    400: 3,  # INVALID_ARGUMENT
    401: 16,  # UNAUTHENTICATED
    403: 7,  # PERMISSION_DENIED
    404: 5,  # NOT_FOUND
    405: 12,  # UNIMPLEMENTED
    408: 4,  # DEADLINE_EXCEEDED
    409: 10,  # ABORTED
    413: 8,  # RESOURCE_EXHAUSTED (request too large)
    429: 8,  # RESOURCE_EXHAUSTED (rate limited)
    431: 8,  # RESOURCE_EXHAUSTED (headers too large)
    499: 1,  # CANCELLED
    500: 13,  # INTERNAL
    501: 12,  # UNIMPLEMENTED
    502: 14,  # UNAVAILABLE
    503: 14,  # UNAVAILABLE
    504: 4,  # DEADLINE_EXCEEDED
}
# Clearer words than Envoy's own for a few local replies.
LOCAL_REPLY_MESSAGES = {
    413: "request body is too large",
    429: "too many requests: rate limit exceeded, retry later",
}

CORS_ALLOW_HEADERS = (
    "authorization",
    "content-type",
    "accept",
    "x-grpc-web",
    "x-user-agent",
    "grpc-timeout",
    "x-request-id",
    "last-event-id",
    "traceparent",
)
CORS_EXPOSE_HEADERS = (
    "grpc-status",
    "grpc-message",
    "grpc-status-details-bin",
    "x-request-id",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "retry-after",
)
CORS_ALLOW_METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS")
CORS_MAX_AGE_SECONDS = 3600


def not_grpc() -> Json:
    """Local-reply filter: the client did not speak gRPC or gRPC-web (those get grpc-status)."""
    return {
        "header_filter": {
            "header": {
                "name": CLIENT_CONTENT_TYPE_HEADER,
                "invert_match": True,
                "treat_missing_header_as_empty": True,
                "string_match": {"prefix": "application/grpc"},
            }
        }
    }


def _grpc() -> Json:
    """Local-reply filter: the client spoke gRPC or gRPC-web."""
    return {
        "header_filter": {
            "header": {
                "name": CLIENT_CONTENT_TYPE_HEADER,
                "treat_missing_header_as_empty": True,
                "string_match": {"prefix": "application/grpc"},
            }
        }
    }


def json_error(code: int, message: str) -> Json:
    """A local reply body shaped like the transcoder's rich errors."""
    return {"json_format": {"code": code, "message": message, "details": []}, "content_type": "application/json"}


def _status_is(op: str, status: int) -> Json:
    return {
        "status_code_filter": {"comparison": {"op": op, "value": {"default_value": status, "runtime_key": "unused"}}}
    }


def local_reply_mappers() -> list[Json]:
    """Envoy's own replies (401, 404, 413, 429, 503, ...) as JSON like the transcoder's errors, for REST.

    jwt_authn answers a token for another audience with 403; the edge has no other source of a
    local 403 (permissions are the services' to decide), so it becomes what it is: 401, a token
    that does not authenticate (gRPC UNAUTHENTICATED).
    """
    unauthenticated: Json = {"status_code": 401, "headers_to_add": [_www_authenticate()]}
    mappers: list[Json] = [
        # A reply already in the error shape (the unknown-field filter's): kept as it is.
        {
            "filter": {
                "metadata_filter": {
                    "matcher": {
                        "filter": SHAPED_REPLY[0],
                        "path": [{"key": SHAPED_REPLY[1]}],
                        "value": {"bool_match": True},
                    },
                    "match_if_key_not_found": False,
                }
            }
        },
        {
            "filter": {"and_filter": {"filters": [_status_is("EQ", 403), not_grpc()]}},
            **unauthenticated,
            "body_format_override": json_error(HTTP_TO_GRPC_CODE[401], "%LOCAL_REPLY_BODY%"),
        },
        {"filter": {"and_filter": {"filters": [_status_is("EQ", 403), _grpc()]}}, **unauthenticated},
        # A timeout (the caller's grpc-timeout or the route's) is 504, which gRPC reads as UNAVAILABLE, a
        # status clients retry: it is DEADLINE_EXCEEDED. A rate-limited gRPC-web call is RESOURCE_EXHAUSTED
        # (as a gRPC one is), not UNAVAILABLE.
        _grpc_answer(504, 4, "deadline exceeded"),
        _grpc_answer(429, 8, LOCAL_REPLY_MESSAGES[429]),
        # HTTP 413 has no gRPC code of its own (it would be UNKNOWN): a message too large is RESOURCE_EXHAUSTED.
        {
            "filter": {"and_filter": {"filters": [_status_is("EQ", 413), _grpc()]}},
            "headers_to_add": [
                {"header": {"key": "grpc-status", "value": "8"}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"},
                {
                    "header": {"key": "grpc-message", "value": LOCAL_REPLY_MESSAGES[413]},
                    "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
                },
            ],
        },
    ]
    mappers += [
        {
            "filter": {"and_filter": {"filters": [_status_is("EQ", status), not_grpc()]}},
            "body_format_override": json_error(code, LOCAL_REPLY_MESSAGES.get(status, "%LOCAL_REPLY_BODY%")),
        }
        for status, code in HTTP_TO_GRPC_CODE.items()
    ]
    # Anything else Envoy answers itself: UNKNOWN (2), same shape.
    mappers.append(
        {
            "filter": {"and_filter": {"filters": [_status_is("GE", 400), not_grpc()]}},
            "body_format_override": json_error(2, "%LOCAL_REPLY_BODY%"),
        }
    )
    return mappers


def _grpc_answer(status: int, grpc_code: int, message: str) -> Json:
    """A local reply of `status` to a gRPC or gRPC-web caller as a trailers-only gRPC answer with
    `grpc_code`: some of Envoy's replies (the stream-duration limit, the rate limit) are plain HTTP,
    which gRPC-web's encoder would turn into UNAVAILABLE."""
    return {
        "filter": {"and_filter": {"filters": [_status_is("EQ", status), _grpc()]}},
        "status_code": 200,
        "body_format_override": {"text_format": "", "content_type": "application/grpc"},
        "headers_to_add": [
            {"header": {"key": "grpc-status", "value": str(grpc_code)}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"},
            {"header": {"key": "grpc-message", "value": message}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"},
        ],
    }


def _www_authenticate() -> Json:
    return {
        "header": {"key": "www-authenticate", "value": 'Bearer error="invalid_token"'},
        "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
    }


def client_content_type_mutation() -> Json:
    """Early header mutation keeping the client's content type (a client's own copy is dropped) and
    dropping a client's own `SUBJECT_HEADER` (only the JWT check sets it)."""
    return {
        "name": "envoy.http.early_header_mutation.header_mutation",
        "typed_config": typed(
            "envoy.extensions.http.early_header_mutation.header_mutation.v3.HeaderMutation",
            mutations=[
                {"remove": SUBJECT_HEADER},
                {"remove": CLIENT_CONTENT_TYPE_HEADER},
                {
                    "append": {
                        "header": {"key": CLIENT_CONTENT_TYPE_HEADER, "value": "%REQ(content-type)%"},
                        "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
                    }
                },
            ],
        ),
    }


def transcoder(proto_descriptor: pathlib.Path | str, services: list[str], max_request_bytes: int) -> Json:
    """The gRPC-JSON transcoder's config: REST/JSON for every bound RPC, server streams as SSE."""
    return typed(
        "envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder",
        proto_descriptor=str(proto_descriptor),
        services=services,
        print_options={
            "add_whitespace": False,
            "always_print_primitive_fields": True,
            "always_print_enums_as_ints": False,
            "preserve_proto_field_names": False,
            "stream_sse_style_delimited": True,
        },
        convert_grpc_status=True,
        auto_mapping=False,
        request_validation_options={
            "reject_unknown_method": True,
            "reject_unknown_query_parameters": True,
            "reject_binding_body_field_collisions": True,
        },
        # Larger REST bodies get 413 before they reach a service.
        max_request_body_size=max_request_bytes,
        max_response_body_size=MAX_RESPONSE_BYTES,
    )


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lua_path_pattern(segments: list[str]) -> str:
    """A Lua pattern of a binding's path: `*` one segment, `**` any number, verbs kept literal."""
    out = []
    for segment in segments:
        literal_parts = re.split(r"(\*\*|\*)", segment)
        rendered = ""
        for part in literal_parts:
            if part == "**":
                rendered += ".+"
            elif part == "*":
                rendered += "[^/]+"
            else:
                rendered += re.sub(r"([%^$().\[\]*+\-?])", r"%\1", part)
        out.append(rendered)
    return "^/" + "/".join(out) + "/?$"


def unknown_fields_filter(
    routes: Iterable[tuple[str, list[str], str, str]], messages: dict[str, dict[str, Json]]
) -> Json:
    """The Lua filter refusing unknown JSON fields (`unknown_fields.lua`), with its tables.

    `routes`: (HTTP method, path segments, body message, the request field the body fills or ""),
    most literal first; `messages`: each
    body message's JSON keys -> "" (not looked into), a message name, or {"map": message or ""}.
    (`contracts.json_bodies` computes both from the descriptor image.)
    """
    lines = ["local ROUTES = {"]
    for method, segments, message, body_field in routes:
        row = ", ".join(_lua_string(v) for v in (method, _lua_path_pattern(segments), message, body_field))
        lines.append(f"  {{ {row} }},")
    lines += ["}", "local MESSAGES = {"]
    for message, keys in sorted(messages.items()):
        entries = []
        for key, check in sorted(keys.items()):
            if isinstance(check, dict):
                value = "{ " + _lua_string(check["map"]) + " }"
            elif check:
                value = _lua_string(check)
            else:
                value = "0"
            entries.append(f"[{_lua_string(key)}] = {value}")
        lines.append(f"  [{_lua_string(message)}] = {{ " + ", ".join(entries) + " },")
    lines.append("}")
    source = "\n".join(lines) + "\n\n" + UNKNOWN_FIELDS_SCRIPT.read_text()
    return typed("envoy.extensions.filters.http.lua.v3.Lua", default_source_code={"inline_string": source})


def unauthenticated_stream_filter(client_streaming_paths: Iterable[str], subject_header: str) -> Json:
    """The Lua filter refusing, once its request is complete, a client-streaming gRPC call without a
    valid token (`unauthenticated_streams.lua`); placed after the JWT check, which lets those calls through,
    so that gRPC clients see UNAUTHENTICATED, never INTERNAL."""
    entries = ", ".join(f"[{_lua_string(p)}] = true" for p in sorted(client_streaming_paths))
    source = f"local STREAMS = {{ {entries} }}\nlocal SUBJECT = {_lua_string(subject_header)}\n\n"
    return typed(
        "envoy.extensions.filters.http.lua.v3.Lua",
        default_source_code={"inline_string": source + UNAUTHENTICATED_STREAMS_SCRIPT.read_text()},
    )


def web_cache_filter() -> Json:
    """The Lua filter setting Cache-Control on the web app's responses (`web_cache.lua`): one script per
    kind of route, none by default, so it does nothing on routes that do not name one
    (`web_cache_route`)."""
    text = WEB_CACHE_SCRIPT.read_text()
    immutable = _lua_string(CACHE_IMMUTABLE)
    sources = {
        WEB_HASHED_SCRIPT: f"local HASHED = true\nlocal IMMUTABLE = {immutable}\n\n{text}",
        WEB_PAGES_SCRIPT: f"local HASHED = false\nlocal IMMUTABLE = {immutable}\n\n{text}",
    }
    return typed(
        "envoy.extensions.filters.http.lua.v3.Lua",
        source_codes={name: {"inline_string": source} for name, source in sources.items()},
    )


def web_cache_route(script: str) -> Json:
    """A route's setting of the `WEB_CACHE` filter: which of its scripts runs there."""
    return typed("envoy.extensions.filters.http.lua.v3.LuaPerRoute", name=script)


# Paths the edge serves itself besides the RPCs' bindings (the API reference).
API_DOC_PATHS = ("/openapi.json", "/docs")


def api_roots(templates: Iterable[str]) -> list[str]:
    """The first path segments of the REST bindings (`v1`, `credentials`, `.well-known`, ...): a path
    under one of them is the API's; with the web app on, every other path is the web app's.

    A binding must start with a literal segment: one starting with a variable would take every path.
    """
    roots = set()
    for template in templates:
        first = template.lstrip("/").split("/", 1)[0].split(":", 1)[0]
        if not first or "{" in first:
            raise ValueError(f"HTTP binding {template!r} does not start with a literal segment")
        roots.add(first)
    return sorted(roots)


def api_path_regex(roots: Iterable[str]) -> str:
    """An RE2 regex matching every path under the API roots (`/v1`, `/v1/...`, `/v1:verb`)."""
    alternatives = "|".join(re.escape(r) for r in roots)
    return f"^/({alternatives})([/:].*)?$"
