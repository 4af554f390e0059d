"""Tracing and metrics set-up for a service process."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased
from prometheus_client import start_http_server

_configured = False


def configure_tracing(service: str, otlp_endpoint: str) -> None:
    """Spans for every RPC; exported over OTLP only when an endpoint is configured.

    Without an endpoint no span is recorded (nothing would read it): every call
    still gets trace and span ids (logs and events carry them, callers' trace
    context is propagated), but as non-recording spans, which cost next to
    nothing. A caller's sampled context is still followed (ParentBased), so a
    trace that another process exports stays whole. With an endpoint the
    sampler is OpenTelemetry's default or `OTEL_TRACES_SAMPLER`.
    """
    global _configured
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


def serve_metrics(host: str, port: int) -> None:
    """Prometheus text exposition on http://host:port/metrics (0 = off)."""
    if port:
        start_http_server(port, addr=host)
