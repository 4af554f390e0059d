"""Tracing and metrics set-up for a service process."""

from __future__ import annotations

import random
import re

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased
from prometheus_client import start_http_server

_configured = False
# Whether this process records spans: False when configure_tracing set it up without an exporter.
# None (not configured here: a test or an embedding application set its own provider) counts as True.
_recording: bool | None = None


def configure_tracing(service: str, otlp_endpoint: str) -> None:
    """Spans for every RPC; exported over OTLP only when an endpoint is configured.

    Without an endpoint no span is recorded (nothing would read it): every call
    still gets trace and span ids (logs and events carry them, callers' trace
    context is propagated), but as non-recording spans, which cost next to
    nothing. A caller's sampled context is still followed (ParentBased), so a
    trace that another process exports stays whole. With an endpoint the
    sampler is OpenTelemetry's default or `OTEL_TRACES_SAMPLER`.
    """
    global _configured, _recording
    if _configured:
        return
    sampler = None if otlp_endpoint else ParentBased(ALWAYS_OFF)
    provider = TracerProvider(resource=Resource.create({"service.name": f"iworkz-{service}"}), sampler=sampler)
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
    trace.set_tracer_provider(provider)
    _configured = True
    _recording = bool(otlp_endpoint)


def spans_recorded() -> bool:
    """Whether RPC spans go anywhere. When they do not, the server skips OpenTelemetry's per-call
    span (its cost is most of a trivial call's tracing work) and keeps only the ids: a caller's
    `traceparent` is continued with a span id of ours, or a new trace id is drawn
    (`interceptors.CallContextInterceptor`); logs and events carry them as before."""
    return _recording is not False


def serve_metrics(host: str, port: int) -> None:
    """Prometheus text exposition on http://host:port/metrics (0 = off)."""
    if port:
        start_http_server(port, addr=host)


_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$")


def trace_ids(traceparent: str) -> tuple[str, str]:
    """(trace id, this call's traceparent) without a span: the caller's trace continued with a new
    span id (its sampled flag kept), or a new trace when the header is missing or malformed (W3C
    trace context; an all-zero trace id is invalid)."""
    match = _TRACEPARENT.match(traceparent.strip().lower())
    if match and match[1] != "0" * 32:
        trace_id, flags = match[1], match[2]
    else:
        trace_id, flags = f"{random.getrandbits(128) or 1:032x}", "00"
    return trace_id, f"00-{trace_id}-{random.getrandbits(64) or 1:016x}-{flags}"
