"""Tracing and metrics set-up for a service process."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import start_http_server

_configured = False


def configure_tracing(service: str, otlp_endpoint: str) -> None:
    """Spans for every RPC; exported over OTLP only when an endpoint is configured."""
    global _configured
    if _configured:
        return
    provider = TracerProvider(resource=Resource.create({"service.name": f"iworkz-{service}"}))
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
