"""Grafana dashboards as code (grafanalib): `python -m deploy.monitoring.dashboards [--check]`.

Writes deploy/monitoring/grafana/dashboards/<uid>.json, which Grafana loads through the
provisioning file beside it (grafana/provisioning/dashboards/iworkz.yaml). One dashboard for
RED metrics per service (rate, errors, duration, per RPC), one for the mesh (Envoy), one for
events (throughput, lag, dead letters), one for the engines (notifications, matching,
credentials, agent and voice). Every query names metrics the services and Envoy really export
(deploy/tests/test_monitoring.py checks them against running processes).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

from grafanalib import core as g
from grafanalib._gen import DashboardEncoder

OUT = pathlib.Path(__file__).resolve().parent / "grafana" / "dashboards"
DATASOURCE = "Prometheus"  # the provisioned data source (grafana/provisioning/datasources)
SERVER_ERRORS = 'code=~"UNKNOWN|INTERNAL|UNAVAILABLE|DEADLINE_EXCEEDED|DATA_LOSS|UNIMPLEMENTED"'
WIDTH = 24


def _panel(title: str, exprs: list[tuple[str, str]], unit: str = "short", x: int = 0, y: int = 0) -> g.TimeSeries:
    return g.TimeSeries(
        title=title,
        dataSource=DATASOURCE,
        targets=[g.Target(expr=e, legendFormat=legend, refId=chr(ord("A") + i)) for i, (e, legend) in enumerate(exprs)],
        unit=unit,
        gridPos=g.GridPos(h=8, w=12, x=x, y=y),
    )


def _grid(panels: list[tuple[str, list[tuple[str, str]], str]]) -> list[g.TimeSeries]:
    """Two panels per row, in order."""
    return [_panel(t, e, u, x=(i % 2) * 12, y=(i // 2) * 8) for i, (t, e, u) in enumerate(panels)]


def _service_variable() -> g.Templating:
    return g.Templating(
        list=[
            g.Template(
                name="service",
                label="service",
                dataSource=DATASOURCE,
                query="label_values(iworkz_grpc_server_handled_total, service)",
                includeAll=True,
                multi=True,
                default="$__all",
            )
        ]
    )


def red() -> g.Dashboard:
    sel = 'service=~"$service"'
    return g.Dashboard(
        title="iWORKZ services: rate, errors, duration",
        uid="iworkz-red",
        tags=["iworkz"],
        timezone="utc",
        templating=_service_variable(),
        panels=_grid(
            [
                (
                    "Requests per second by service",
                    [(f"sum by (service) (rate(iworkz_grpc_server_handled_total{{{sel}}}[5m]))", "{{service}}")],
                    "reqps",
                ),
                (
                    "Server error ratio by service (SLO 99.5 %)",
                    [
                        (
                            f"sum by (service) (rate(iworkz_grpc_server_handled_total{{{sel},{SERVER_ERRORS}}}[5m]))"
                            f" / sum by (service) (rate(iworkz_grpc_server_handled_total{{{sel}}}[5m]))",
                            "{{service}}",
                        )
                    ],
                    "percentunit",
                ),
                (
                    "p99 latency by RPC",
                    [
                        (
                            "histogram_quantile(0.99, sum by (service, method, le)"
                            f" (rate(iworkz_grpc_server_handling_seconds_bucket{{{sel}}}[5m])))",
                            "{{service}} {{method}}",
                        )
                    ],
                    "s",
                ),
                (
                    "p50 latency by RPC",
                    [
                        (
                            "histogram_quantile(0.5, sum by (service, method, le)"
                            f" (rate(iworkz_grpc_server_handling_seconds_bucket{{{sel}}}[5m])))",
                            "{{service}} {{method}}",
                        )
                    ],
                    "s",
                ),
                (
                    "Responses by status code",
                    [(f"sum by (code) (rate(iworkz_grpc_server_handled_total{{{sel}}}[5m]))", "{{code}}")],
                    "reqps",
                ),
                (
                    "Error ratio by RPC (recorded, alerting input)",
                    [(f"iworkz:rpc_error_ratio:rate5m{{{sel}}}", "{{service}} {{method}}")],
                    "percentunit",
                ),
            ]
        ),
    ).auto_panel_ids()


def mesh() -> g.Dashboard:
    return g.Dashboard(
        title="iWORKZ mesh: Envoy edge and sidecars",
        uid="iworkz-mesh",
        tags=["iworkz"],
        timezone="utc",
        panels=_grid(
            [
                (
                    "Upstream requests by cluster",
                    [
                        (
                            "sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total[5m]))",
                            "{{envoy_cluster_name}}",
                        )
                    ],
                    "reqps",
                ),
                (
                    "Upstream 5xx ratio by cluster",
                    [
                        (
                            "sum by (envoy_cluster_name)"
                            ' (rate(envoy_cluster_upstream_rq_xx{envoy_response_code_class="5"}[5m]))'
                            " / sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total[5m]))",
                            "{{envoy_cluster_name}}",
                        )
                    ],
                    "percentunit",
                ),
                (
                    "Outlier ejections (active) by cluster",
                    [
                        (
                            "sum by (envoy_cluster_name) (envoy_cluster_outlier_detection_ejections_active)",
                            "{{envoy_cluster_name}}",
                        )
                    ],
                    "short",
                ),
                (
                    "Retries and timeouts by cluster",
                    [
                        (
                            "sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_retry[5m]))",
                            "retry {{envoy_cluster_name}}",
                        ),
                        (
                            "sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_timeout[5m]))",
                            "timeout {{envoy_cluster_name}}",
                        ),
                    ],
                    "reqps",
                ),
                (
                    "Connection failures by cluster",
                    [
                        (
                            "sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_cx_connect_fail[5m]))",
                            "{{envoy_cluster_name}}",
                        )
                    ],
                    "cps",
                ),
                (
                    "Healthy hosts by cluster",
                    [
                        (
                            "sum by (envoy_cluster_name) (envoy_cluster_membership_healthy)",
                            "{{envoy_cluster_name}}",
                        )
                    ],
                    "short",
                ),
            ]
        ),
    ).auto_panel_ids()


def events() -> g.Dashboard:
    return g.Dashboard(
        title="iWORKZ events: streams, consumers, dead letters",
        uid="iworkz-events",
        tags=["iworkz"],
        timezone="utc",
        panels=_grid(
            [
                (
                    "Events handled by consumer and outcome",
                    [
                        (
                            "sum by (consumer, outcome) (rate(iworkz_events_consumed_total[5m]))",
                            "{{consumer}} {{outcome}}",
                        )
                    ],
                    "ops",
                ),
                (
                    "Consumer lag (age of the oldest unhandled entry)",
                    [
                        (
                            "max by (consumer, stream) (iworkz_events_consumer_lag_seconds)",
                            "{{consumer}} ← {{stream}}",
                        )
                    ],
                    "s",
                ),
                (
                    "Consumer lag (entries)",
                    [
                        (
                            "max by (consumer, stream) (iworkz_events_consumer_lag_entries)",
                            "{{consumer}} ← {{stream}}",
                        )
                    ],
                    "short",
                ),
                (
                    "Dead-lettered events (15 min)",
                    [
                        (
                            'sum by (consumer) (increase(iworkz_events_consumed_total{outcome="dead"}[15m]))',
                            "{{consumer}}",
                        )
                    ],
                    "short",
                ),
            ]
        ),
    ).auto_panel_ids()


def engines() -> g.Dashboard:
    def p99(service: str) -> tuple[str, str]:
        return (
            "histogram_quantile(0.99, sum by (method, le)"
            f' (rate(iworkz_grpc_server_handling_seconds_bucket{{service="{service}"}}[5m])))',
            "{{method}}",
        )

    return g.Dashboard(
        title="iWORKZ engines: notifications, matching, credentials, agent, voice",
        uid="iworkz-engines",
        tags=["iworkz"],
        timezone="utc",
        panels=_grid(
            [
                (
                    "Notification delivery lag",
                    [("max(iworkz_notifications_delivery_lag_seconds)", "oldest due delivery")],
                    "s",
                ),
                (
                    "Notification deliveries by channel and outcome",
                    [
                        (
                            "sum by (channel, outcome) (rate(iworkz_notifications_deliveries_total[5m]))",
                            "{{channel}} {{outcome}}",
                        )
                    ],
                    "ops",
                ),
                (
                    "Matching freshness: event to projection (p50, p99)",
                    [
                        (
                            "histogram_quantile(0.5, sum by (le)"
                            " (rate(iworkz_matching_projection_delay_seconds_bucket[10m])))",
                            "p50",
                        ),
                        (
                            "histogram_quantile(0.99, sum by (le)"
                            " (rate(iworkz_matching_projection_delay_seconds_bucket[10m])))",
                            "p99",
                        ),
                    ],
                    "s",
                ),
                ("Matching p99 latency by RPC", [p99("matching")], "s"),
                (
                    "Credential anchoring backlog",
                    [
                        ("max(iworkz_credentials_anchor_backlog)", "digests waiting"),
                        ("max(iworkz_credentials_anchor_backlog_age_seconds)", "oldest (s)"),
                    ],
                    "short",
                ),
                ("Credentials p99 latency by RPC", [p99("credentials")], "s"),
                ("Agent p99 latency by RPC", [p99("agent")], "s"),
                ("Voice p99 latency by RPC", [p99("voice")], "s"),
            ]
        ),
    ).auto_panel_ids()


DASHBOARDS = (red, mesh, events, engines)


def render() -> dict[str, str]:
    """File name -> dashboard JSON."""
    out = {}
    for make in DASHBOARDS:
        dashboard = make()
        out[f"{dashboard.uid}.json"] = (
            json.dumps(dashboard.to_json_data(), cls=DashboardEncoder, sort_keys=True, indent=2) + "\n"
        )
    return out


def differences(rendered: dict[str, str]) -> list[str]:
    on_disk = {p.name for p in OUT.glob("*.json")}
    return [
        name
        for name in sorted(set(rendered) | on_disk)
        if name not in rendered or not (OUT / name).exists() or (OUT / name).read_text() != rendered[name]
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed files")
    args = parser.parse_args(argv)
    rendered = render()
    if args.check:
        stale = differences(rendered)
        print(
            "dashboards are up to date" if not stale else f"stale: {stale}; run python -m deploy.monitoring.dashboards"
        )
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for old in {p.name for p in OUT.glob("*.json")} - set(rendered):
        (OUT / old).unlink()
    for name, text in rendered.items():
        (OUT / name).write_text(text)
    print(f"wrote {len(rendered)} dashboards to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
