"""Render the Kustomize base and the dev/prod overlays in deploy/ from the topology.

    python -m deploy.render            # rewrite deploy/base/ and deploy/overlays/*/
    python -m deploy.render --check    # exit 1 if the committed files are stale

The base is mesh/istio/ (Deployments, Services, HPAs, PDBs, Istio policy: rendered by
mesh.render_istio from the same topology) plus what a cluster needs around it:
NetworkPolicies that admit exactly the topology's callers (deny by default, ingress and
egress), the namespace's Pod Security "restricted" enforcement, and the prometheus-adapter
rule that turns the services' RPC counter into the per-pod requests-per-second metric the
HPAs scale on. Each overlay (deploy/environments.yaml) names the images, sets each app
container's requests and limits, and gives every HPA its bounds and its two metrics (CPU
and requests per second).
"""

from __future__ import annotations

import argparse
import difflib
import pathlib
import sys
from typing import Any

import yaml

import topology as topo
from mesh import render_istio as ri

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
ENVIRONMENTS = DEPLOY / "environments.yaml"
RPS_METRIC = "iworkz_grpc_requests_per_second"  # served by prometheus-adapter (see adapter_rules)
RPC_COUNTER = "iworkz_grpc_server_handled_total"  # services/runtime/interceptors.py
CPU_TARGET = 70  # % of the request
MONITORING_NAMESPACE = "monitoring"  # where Prometheus runs (scrapes pods' metrics ports)
ISTIO_NAMESPACE = "istio-system"
ISTIOD_PORTS = (15012, 15017)  # xDS and certificates (15012), webhook (15017)
ISTIO_MERGED_METRICS_PORT = 15020  # the sidecar's merged Prometheus endpoint
GATEWAY_LABELS = ri.GATEWAY_SELECTOR
GATEWAY_PORTS = (8080, 8443)  # the gateway pod's unprivileged listeners (Service 80, 443)
HEADER = (
    "# Rendered by `python -m deploy.render` from mesh/topology.yaml and deploy/environments.yaml.\n"
    "# Do not edit: change the sources and re-render.\n"
)


class RenderError(ValueError):
    """The environments file does not fit the topology."""


class _Dumper(yaml.SafeDumper):
    pass


def _dump(docs: list[dict[str, Any]]) -> str:
    return HEADER + yaml.dump_all(docs, Dumper=_Dumper, sort_keys=True, default_flow_style=False)


def _kustomization(body: dict[str, Any]) -> str:
    doc = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", **body}
    return HEADER + yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False)


def _meta(t: topo.Topology, name: str) -> dict[str, Any]:
    return {"name": name, "namespace": t.namespace, "labels": {"app.kubernetes.io/part-of": "iworkz"}}


def _selector(t: topo.Topology, caller: str) -> dict[str, Any]:
    """The pods of a topology caller (the edge is the ingress gateway)."""
    if caller == topo.EDGE:
        return {"podSelector": {"matchLabels": dict(GATEWAY_LABELS)}}
    return {"podSelector": {"matchLabels": {"app": caller}}}


def _tcp(*ports: int) -> list[dict[str, Any]]:
    return [{"protocol": "TCP", "port": p} for p in ports]


def network_policies(t: topo.Topology, env: dict[str, Any]) -> list[dict[str, Any]]:
    """Deny everything, then admit DNS, istiod, and per service exactly its callers and callees."""
    monitoring = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": MONITORING_NAMESPACE}}}
    docs: list[dict[str, Any]] = [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _meta(t, "default-deny"),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _meta(t, "allow-dns-and-istiod"),
            "spec": {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                            }
                        ],
                        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                    },
                    {
                        "to": [
                            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ISTIO_NAMESPACE}}}
                        ],
                        "ports": _tcp(*ISTIOD_PORTS),
                    },
                ],
            },
        },
    ]
    edge_callees = [s for s in t.services.values() if topo.EDGE in s.callers]
    docs.append(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _meta(t, ri.GATEWAY_WORKLOAD),
            "spec": {
                "podSelector": {"matchLabels": dict(GATEWAY_LABELS)},
                "policyTypes": ["Ingress", "Egress"],
                # Anyone may reach the gateway's listeners (the load balancer forwards clients).
                "ingress": [
                    {"ports": _tcp(*GATEWAY_PORTS)},
                    {"from": [monitoring], "ports": _tcp(ISTIO_MERGED_METRICS_PORT)},
                ],
                "egress": [
                    {"to": [_selector(t, s.name)], "ports": _tcp(s.port("app"))}
                    for s in sorted(edge_callees, key=lambda s: s.name)
                ],
            },
        }
    )
    for s in sorted(t.services.values(), key=lambda s: s.name):
        # Egress follows the callees' `callers` (what their Istio policy admits), a superset of `calls`.
        callees = sorted(c.name for c in t.services.values() if s.name in c.callers)
        egress = [{"to": [_selector(t, callee)], "ports": _tcp(t.services[callee].port("app"))} for callee in callees]
        # PostgreSQL and Redis live outside the namespace (managed, or a namespace of their own).
        egress.append({"ports": _tcp(*env["datastore_ports"])})
        if s.name in env.get("external_egress", {}):
            egress.append({"ports": _tcp(*env["external_egress"][s.name])})
        docs.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": _meta(t, s.name),
                "spec": {
                    "podSelector": {"matchLabels": {"app": s.name}},
                    "policyTypes": ["Ingress", "Egress"],
                    "ingress": [
                        {"from": [_selector(t, c) for c in sorted(s.callers)], "ports": _tcp(s.port("app"))},
                        {"from": [monitoring], "ports": _tcp(ISTIO_MERGED_METRICS_PORT, s.port("metrics"))},
                    ],
                    "egress": egress,
                },
            }
        )
    return docs


def namespace_patch(t: topo.Topology) -> dict[str, Any]:
    """Enforce Pod Security "restricted" (mesh/istio only audits and warns)."""
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": t.namespace,
            "labels": {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
            },
        },
    }


def adapter_rules(t: topo.Topology) -> dict[str, Any]:
    """prometheus-adapter's rule: per-pod rate of finished RPCs as a custom metric."""
    rules = {
        "rules": [
            {
                "seriesQuery": f'{RPC_COUNTER}{{namespace!="",pod!=""}}',
                "resources": {"overrides": {"namespace": {"resource": "namespace"}, "pod": {"resource": "pod"}}},
                "name": {"matches": f"^{RPC_COUNTER}$", "as": RPS_METRIC},
                "metricsQuery": "sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)",
            }
        ]
    }
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "iworkz-prometheus-adapter",
            "namespace": MONITORING_NAMESPACE,
            "labels": {"app.kubernetes.io/part-of": "iworkz"},
        },
        "data": {"config.yaml": yaml.dump(rules, Dumper=_Dumper, sort_keys=False)},
    }


def _environment(t: topo.Topology, name: str, spec: dict[str, Any]) -> None:
    missing = sorted(set(t.services) - set(spec["services"]))
    unknown = sorted(set(spec["services"]) - set(t.services))
    if missing or unknown:
        raise RenderError(
            f"{ENVIRONMENTS.name}: environments.{name}.services: missing {missing}, not in the topology {unknown}"
        )


def overlay(t: topo.Topology, name: str, spec: dict[str, Any]) -> dict[str, str]:
    """An overlay's files: its kustomization (images) and its patches (resources, autoscaling)."""
    _environment(t, name, spec)
    services = sorted(t.services.values(), key=lambda s: s.name)
    # Every image `make images` builds that a pod runs: the services' and the web app's.
    names = [s.name for s in services] + ([ri.WEB] if t.web is not None else [])
    images = [
        {"name": f"{ri.IMAGE_REPOSITORY}/{n}", "newName": f"{spec['image']['prefix']}/{n}"}
        | {"newTag": str(spec["image"]["tag"])}
        for n in names
    ]
    resources = [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": s.name, "namespace": t.namespace},
            "spec": {
                "template": {
                    "spec": {"containers": [{"name": s.name, "resources": spec["services"][s.name]["resources"]}]}
                }
            },
        }
        for s in services
    ]
    autoscaling = [
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": s.name, "namespace": t.namespace},
            "spec": {
                "minReplicas": s.replicas,
                "maxReplicas": s.replicas * spec["max_factor"],
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": CPU_TARGET},
                        },
                    },
                    {
                        "type": "Pods",
                        "pods": {
                            "metric": {"name": RPS_METRIC},
                            "target": {"type": "AverageValue", "averageValue": str(spec["services"][s.name]["rps"])},
                        },
                    },
                ],
                # Scale up at once, down slowly (a burst is followed by its retries).
                "behavior": {
                    "scaleUp": {"stabilizationWindowSeconds": 0},
                    "scaleDown": {"stabilizationWindowSeconds": 300},
                },
            },
        }
        for s in services
    ]
    return {
        "kustomization.yaml": _kustomization(
            {
                "resources": ["../../base"],
                "labels": [{"pairs": {"iworkz.io/environment": name}, "includeSelectors": False}],
                "images": images,
                "patches": [{"path": "resources.yaml"}, {"path": "autoscaling.yaml"}],
            }
        ),
        "resources.yaml": _dump(resources),
        "autoscaling.yaml": _dump(autoscaling),
    }


def render(t: topo.Topology, environments: dict[str, Any]) -> dict[str, str]:
    """Path under deploy/ -> content."""
    files = {
        "base/kustomization.yaml": _kustomization(
            {
                "resources": ["../../mesh/istio", "network-policies.yaml", "prometheus-adapter.yaml"],
                "patches": [{"path": "pod-security.yaml"}],
            }
        ),
        "base/network-policies.yaml": _dump(network_policies(t, environments)),
        "base/pod-security.yaml": _dump([namespace_patch(t)]),
        "base/prometheus-adapter.yaml": _dump([adapter_rules(t)]),
    }
    for name, spec in sorted(environments["environments"].items()):
        for file, text in overlay(t, name, spec).items():
            files[f"overlays/{name}/{file}"] = text
    return files


def render_default() -> dict[str, str]:
    return render(topo.load(), yaml.safe_load(ENVIRONMENTS.read_text()))


def _on_disk() -> set[str]:
    return {str(p.relative_to(DEPLOY)) for d in ("base", "overlays") for p in (DEPLOY / d).rglob("*.yaml")}


def differences(rendered: dict[str, str]) -> list[str]:
    diffs = []
    for name in sorted(set(rendered) | _on_disk()):
        path = DEPLOY / name
        old = path.read_text() if path.exists() else ""
        new = rendered.get(name, "")
        if old != new:
            diffs.append(
                "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"committed/{name}", name))
            )
    return diffs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed files")
    args = parser.parse_args(argv)
    try:
        rendered = render_default()
    except (RenderError, topo.TopologyError) as err:
        print(f"deploy.render: {err}", file=sys.stderr)
        return 1
    if args.check:
        diffs = differences(rendered)
        sys.stdout.write("".join(diffs))
        print("deploy/ is up to date" if not diffs else "deploy/ differs: run `python -m deploy.render`")
        return 1 if diffs else 0
    for stale in _on_disk() - set(rendered):
        (DEPLOY / stale).unlink()
    for name, text in rendered.items():
        (DEPLOY / name).parent.mkdir(parents=True, exist_ok=True)
        (DEPLOY / name).write_text(text)
    print(f"wrote {len(rendered)} files under deploy/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
