"""Render the topology and the contracts to Kubernetes + Istio manifests in `mesh/istio/`.

    python -m mesh.render_istio           # (re)write mesh/istio/*.yaml
    python -m mesh.render_istio --check   # exit 1 when the committed files differ

Inputs are `mesh/topology.yaml` (services, ports, replicas, callers, timeouts,
retries, edge JWT and CORS) and the descriptor image `build/iworkz.binpb`
(`python tools/protobuild.py generate`): which RPCs are public, their HTTP
bindings, which ones stream. The output is deterministic (sorted keys, sorted
services), so the committed files must equal a fresh rendering; the test
`mesh/tests/test_istio_manifests.py` checks that. The choices made here are
explained in `mesh/istio/README.md`.
"""

from __future__ import annotations

import argparse
import base64
import difflib
import hashlib
import pathlib
import re
import sys
import tomllib
from typing import Any

import yaml
from google.protobuf import descriptor_pb2

import contracts
import topology as topo
from contracts import Contracts
from envoy import edge_policy
from envoy.config import duration

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "mesh" / "istio"
IMAGE = ROOT / "build" / "iworkz.binpb"

# The public host name of the ingress gateway (TLS certificate, routes, JWKS URL).
PUBLIC_HOST = "api.iworkz.example"
# The ingress gateway is deployed into the platform's namespace (gateway injection),
# as this workload. The topology's `edge` caller is this ServiceAccount.
EDGE = topo.EDGE
GATEWAY_WORKLOAD = "istio-ingressgateway"
# A label of our own so the Gateway never binds to a cluster-wide `istio: ingressgateway`.
GATEWAY_SELECTOR = {"istio": "iworkz-ingressgateway"}
GATEWAY = "iworkz-gateway"
TLS_SECRET = "iworkz-gateway-tls"
DESCRIPTOR_CONFIGMAP = "iworkz-descriptors"
DESCRIPTOR_DIR = "/etc/iworkz/descriptors"
DESCRIPTOR_FILE = "iworkz.binpb"
IMAGE_REPOSITORY = "iworkz"
# A fixed non-root uid/gid, so the pod spec does not depend on the image's USER.
APP_UID = 10001
# Envoy's proxy user in Istio's injected containers.
PROXY_UID = 1337
KUBERNETES_DNS_SUFFIX = "svc.cluster.local"

# Same as the local edge (envoy/edge_policy.py), so browsers see one CORS policy everywhere.
CORS_ALLOW_HEADERS = sorted(edge_policy.CORS_ALLOW_HEADERS)
CORS_EXPOSE_HEADERS = sorted(edge_policy.CORS_EXPOSE_HEADERS)
JWKS_PATH = edge_policy.JWKS_PATH  # identity's GetJwks binding (topology edge.jwt.jwks_service)

HEADER = (
    "# Rendered by `python -m mesh.render_istio` from mesh/topology.yaml and the\n"
    "# contracts' descriptor image. Do not edit: change the sources and re-render.\n"
)


class RenderError(ValueError):
    pass


# --- contracts: public paths, the transcoder's descriptor ------------------------


def istio_path(template: str) -> str:
    """A google.api.http path template as an Istio AuthorizationPolicy path.

    `/v1/{name=employers/*/jobs/*}` -> `/v1/employers/{*}/jobs/{*}`; `**` -> `{**}`.
    Istio (1.22+) matches `{*}`/`{**}` only as whole path segments, so a
    wildcard followed by a custom verb (`/v1/{name=jobs/*}:publish`) cannot be
    expressed exactly; rather than open a wider path, rendering stops.
    """
    path, verb = template, ""
    match = re.fullmatch(r"(.*?)(:[A-Za-z0-9_.~-]+)", template)
    if match and "}" not in match[2]:
        path, verb = match[1], match[2]
    flat = re.sub(r"\{[^}=]+=([^}]+)\}", r"\1", path)
    flat = re.sub(r"\{[^}]+\}", "*", flat)
    if not flat.startswith("/") or "{" in flat or "}" in flat:
        raise RenderError(f"unsupported HTTP path template {template!r}")
    segments = ["{**}" if s == "**" else "{*}" if s == "*" else s for s in flat.split("/")[1:]]
    if any("*" in s and s not in ("{*}", "{**}") for s in segments):
        raise RenderError(f"unsupported HTTP path template {template!r}")
    if "{**}" in segments[:-1]:
        raise RenderError(f"{template!r}: `**` must be the last segment")
    if verb and segments[-1] in ("{*}", "{**}"):
        raise RenderError(
            f"{template!r}: Istio cannot match a wildcard segment followed by a verb; "
            "bind this public RPC to a path whose last segment is a literal"
        )
    return "/" + "/".join(segments) + verb


def gateway_descriptor(image: Contracts, services: list[str]) -> bytes:
    """The transcoder's descriptor set, cut to what `services` need, without comments.

    Starts from the edge's own set (`contracts.transcoder_descriptor_set`: the image plus the
    google.rpc error types, each file after its imports), keeps the services'
    files, their imports and the error types, and drops source info, so the
    ConfigMap changes only when a served contract does.
    """
    full = descriptor_pb2.FileDescriptorSet.FromString(contracts.transcoder_descriptor_set(image))
    by_name = {f.name: f for f in full.file}
    pending = [f.name for f in full.file if any(f"{f.package}.{s.name}" in services for s in f.service)]
    pending += [m.DESCRIPTOR.name for m in contracts.ERROR_FILES]
    needed: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.add(name)
            pending.extend(by_name[name].dependency)
    out = descriptor_pb2.FileDescriptorSet()
    for f in full.file:
        if f.name in needed:
            copy = out.file.add()
            copy.CopyFrom(f)
            copy.ClearField("source_code_info")
    return out.SerializeToString(deterministic=True)


# --- naming ----------------------------------------------------------------------


def service_account(caller: str) -> str:
    """The Kubernetes ServiceAccount a topology caller runs as (`edge` is the ingress gateway)."""
    return GATEWAY_WORKLOAD if caller == EDGE else caller


def principal(topology: topo.Topology, caller: str) -> str:
    """Istio's principal for a topology caller: `<trust domain>/ns/<namespace>/sa/<account>`."""
    return f"{topology.trust_domain}/ns/{topology.namespace}/sa/{service_account(caller)}"


def fqdn(topology: topo.Topology, service: str) -> str:
    return f"{service}.{topology.namespace}.{KUBERNETES_DNS_SUFFIX}"


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def _meta(topology: topo.Topology, name: str, labels: dict | None = None) -> dict:
    return {
        "name": name,
        "namespace": topology.namespace,
        "labels": {"app.kubernetes.io/part-of": "iworkz", **(labels or {})},
    }


def _app_labels(name: str) -> dict:
    return {"app": name, "app.kubernetes.io/name": name}


# --- workloads -------------------------------------------------------------------


def service_workload(topology: topo.Topology, s: topo.Service) -> list[dict]:
    """ServiceAccount, Deployment, Service, HorizontalPodAutoscaler and PodDisruptionBudget."""
    grpc_port, metrics_port = s.port("app"), s.port("metrics")
    prefix = s.name.upper()
    env: list[dict[str, Any]] = [
        {"name": "IWORKZ_GRPC_HOST", "value": "0.0.0.0"},
        {"name": f"{prefix}_GRPC_PORT", "value": str(grpc_port)},
        {"name": f"{prefix}_METRICS_PORT", "value": str(metrics_port)},
        # Only the sidecar reaches the app (STRICT mTLS); it appends the verified
        # caller's SPIFFE id as the last XFCC element, which the runtime reads.
        {"name": "IWORKZ_TRUST_XFCC", "value": "1"},
        {"name": "IWORKZ_JWT_ISSUER", "value": topology.edge.jwt.issuer},
        {"name": "IWORKZ_JWT_AUDIENCE", "value": topology.edge.jwt.audience},
        {"name": "PYTHONDONTWRITEBYTECODE", "value": "1"},
        {"name": "PYTHONUNBUFFERED", "value": "1"},
    ]
    jwks = topology.services[topology.edge.jwt.jwks_service]
    if s.name != jwks.name:
        env.append({"name": "IWORKZ_IDENTITY_TARGET", "value": f"{fqdn(topology, jwks.name)}:{jwks.port('app')}"})
    for key in ("DATABASE_URL", "REDIS_URL", "IWORKZ_MASTER_KEYS"):
        env.append({"name": key, "valueFrom": {"secretKeyRef": {"name": f"{s.name}-secrets", "key": key}}})
    probe = {"grpc": {"port": grpc_port}}
    labels = _app_labels(s.name)
    mounts: list[dict] = [{"name": "tmp", "mountPath": "/tmp"}]
    volumes: list[dict] = [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}]
    if s.name in CACHE_DIRS:
        variable, path, size = CACHE_DIRS[s.name]
        env.append({"name": variable, "value": path})
        mounts.append({"name": "cache", "mountPath": path})
        volumes.append({"name": "cache", "emptyDir": {"sizeLimit": size}})
    container = {
        "name": s.name,
        "image": f"{IMAGE_REPOSITORY}/{s.name}:{version()}",
        "imagePullPolicy": "IfNotPresent",
        "command": ["python", "-m", s.main_module],
        "ports": [
            {"name": "grpc", "containerPort": grpc_port, "protocol": "TCP"},
            {"name": "http-metrics", "containerPort": metrics_port, "protocol": "TCP"},
        ],
        "env": env,
        # Every other key of the service's Secret is a setting too (DATABASE_REPLICA_URL,
        # CREDENTIALS_CHAIN_URL, NOTIFICATIONS_SMTP_HOST, AGENT_LLM_URL ...: see each service's README).
        "envFrom": [{"secretRef": {"name": f"{s.name}-secrets"}}],
        # Migrations run at start-up: the startup probe gives them a minute.
        "startupProbe": {**probe, "periodSeconds": 2, "failureThreshold": 30},
        "readinessProbe": {**probe, "periodSeconds": 5, "failureThreshold": 3},
        "livenessProbe": {**probe, "periodSeconds": 10, "failureThreshold": 3, "timeoutSeconds": 2},
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "privileged": False,
            "runAsNonRoot": True,
            "runAsUser": APP_UID,
            "runAsGroup": APP_UID,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": mounts,
    }
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(topology, s.name, labels),
        "spec": {
            # No `replicas`: the HorizontalPodAutoscaler owns the count (min = topology replicas).
            "selector": {"matchLabels": {"app": s.name}},
            "revisionHistoryLimit": 5,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {
                "metadata": {
                    "labels": {**labels, "version": f"v{version()}"},
                    "annotations": {
                        # Istio merges these app metrics into the sidecar's scrape endpoint.
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(metrics_port),
                        "prometheus.io/path": "/metrics",
                        # Calls made at start-up (JWKS, other services) need the proxy up first.
                        "proxy.istio.io/config": '{"holdApplicationUntilProxyStarts": true}',
                    },
                },
                "spec": {
                    "serviceAccountName": s.name,
                    # The app never calls the Kubernetes API; Istio mounts its own token.
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": APP_UID,
                        "runAsGroup": APP_UID,
                        "fsGroup": APP_UID,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    # The runtime drains for IWORKZ_DRAIN_SECONDS (10 s) after SIGTERM.
                    "terminationGracePeriodSeconds": 30,
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1,
                            "topologyKey": "kubernetes.io/hostname",
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": {"app": s.name}},
                        }
                    ],
                    "containers": [container],
                    "volumes": volumes,
                },
            },
        },
    }
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _meta(topology, s.name, labels),
            "automountServiceAccountToken": False,
        },
        deployment,
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(topology, s.name, {**labels, "service": s.name}),
            "spec": {
                "selector": {"app": s.name},
                "ports": [
                    {"name": "grpc", "port": grpc_port, "targetPort": "grpc", "protocol": "TCP", "appProtocol": "grpc"},
                    {
                        "name": "http-metrics",
                        "port": metrics_port,
                        "targetPort": "http-metrics",
                        "protocol": "TCP",
                        "appProtocol": "http",
                    },
                ],
            },
        },
        _autoscaler(topology, s.name, labels, s.replicas, s.replicas * 4, 70),
        _disruption_budget(topology, s.name, labels),
    ]


def _autoscaler(topology, name, labels, low, high, cpu) -> dict:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _meta(topology, name, labels),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": low,
            "maxReplicas": high,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": cpu}},
                }
            ],
        },
    }


def _disruption_budget(topology, name, labels) -> dict:
    # maxUnavailable (not minAvailable = replicas): never blocks a node drain, even at one replica.
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(topology, name, labels),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": name}}},
    }


WEB = "web"
WEB_HASHED = "web-hashed"  # the edge VirtualService's route of the web app's content-hashed files
# Services that write caches of their own (besides /tmp): the variable naming the folder, where it is,
# and the emptyDir's size. Agent's ESCO vectors are built at a pod's first start (minutes) and kept
# for the pod's life; the root filesystem stays read-only.
CACHE_DIRS = {"agent": ("AGENT_DATA_DIR", "/var/cache/iworkz/agent", "512Mi")}


def web_workload(topology: topo.Topology) -> list[dict]:
    """The web app (`web/`, Next.js): ServiceAccount, Deployment, Service, autoscaler, disruption budget.
    It serves pages behind the ingress gateway and calls the API back through the gateway's public host."""
    assert topology.web is not None
    port = topology.web.port
    labels = _app_labels(WEB)
    probe = {"httpGet": {"path": "/login", "port": "http"}}
    container = {
        "name": WEB,
        "image": f"{IMAGE_REPOSITORY}/{WEB}:{version()}",
        "imagePullPolicy": "IfNotPresent",
        # The image's standalone Next.js server (deploy/images: `make images`).
        "command": ["node", "server.js"],
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "env": [
            {"name": "PORT", "value": str(port)},
            {"name": "HOSTNAME", "value": "0.0.0.0"},
            {"name": "IWORKZ_API_URL", "value": f"https://{PUBLIC_HOST}"},
            {"name": "NODE_ENV", "value": "production"},
            {"name": "NEXT_TELEMETRY_DISABLED", "value": "1"},
        ],
        "startupProbe": {**probe, "periodSeconds": 2, "failureThreshold": 30},
        "readinessProbe": {**probe, "periodSeconds": 5, "failureThreshold": 3},
        "livenessProbe": {**probe, "periodSeconds": 10, "failureThreshold": 3, "timeoutSeconds": 2},
        "resources": {"requests": {"cpu": "100m", "memory": "192Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "privileged": False,
            "runAsNonRoot": True,
            "runAsUser": APP_UID,
            "runAsGroup": APP_UID,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        # Next writes its image and fetch caches under .next/cache.
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}, {"name": "cache", "mountPath": "/app/.next/cache"}],
    }
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(topology, WEB, labels),
        "spec": {
            "selector": {"matchLabels": {"app": WEB}},
            "revisionHistoryLimit": 5,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": {**labels, "version": f"v{version()}"}},
                "spec": {
                    "serviceAccountName": WEB,
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": APP_UID,
                        "runAsGroup": APP_UID,
                        "fsGroup": APP_UID,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "terminationGracePeriodSeconds": 30,
                    "containers": [container],
                    "volumes": [
                        {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
                        {"name": "cache", "emptyDir": {"sizeLimit": "256Mi"}},
                    ],
                },
            },
        },
    }
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _meta(topology, WEB, labels),
            "automountServiceAccountToken": False,
        },
        deployment,
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(topology, WEB, {**labels, "service": WEB}),
            "spec": {
                "selector": {"app": WEB},
                "ports": [
                    {"name": "http", "port": port, "targetPort": "http", "protocol": "TCP", "appProtocol": "http"}
                ],
            },
        },
        _autoscaler(topology, WEB, labels, 2, 8, 70),
        _disruption_budget(topology, WEB, labels),
    ]


def api_roots(topology: topo.Topology, image: Contracts) -> list[str]:
    """The first path segments of the edge's REST bindings: what is not under them is the web app's."""
    return edge_policy.api_roots(
        b.template for s in edge_services(topology) for r in image.rpcs_of(s.grpc_services) for b in r.bindings
    )


def gateway_workload(topology: topo.Topology, descriptor: bytes) -> list[dict]:
    """The ingress gateway (Istio gateway injection) with the descriptor ConfigMap mounted."""
    name = GATEWAY_WORKLOAD
    labels = {**_app_labels(name), **GATEWAY_SELECTOR}
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(topology, name, labels)},
        # The gateway reads its TLS certificate (credentialName) through SDS.
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": _meta(topology, f"{name}-sds", labels),
            "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]}],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": _meta(topology, f"{name}-sds", labels),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": f"{name}-sds"},
            "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": topology.namespace}],
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": _meta(topology, name, labels),
            "spec": {
                "selector": {"matchLabels": GATEWAY_SELECTOR},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
                "template": {
                    "metadata": {
                        "labels": {**labels, "sidecar.istio.io/inject": "true"},
                        "annotations": {
                            "inject.istio.io/templates": "gateway",
                            # Envoy reads the descriptor file once per configuration: a new
                            # descriptor rolls the gateway.
                            "iworkz.io/descriptor-sha256": hashlib.sha256(descriptor).hexdigest(),
                        },
                    },
                    "spec": {
                        "serviceAccountName": name,
                        "securityContext": {
                            "runAsNonRoot": True,
                            "runAsUser": PROXY_UID,
                            "runAsGroup": PROXY_UID,
                            "fsGroup": PROXY_UID,
                            "seccompProfile": {"type": "RuntimeDefault"},
                        },
                        "topologySpreadConstraints": [
                            {
                                "maxSkew": 1,
                                "topologyKey": "kubernetes.io/hostname",
                                "whenUnsatisfiable": "ScheduleAnyway",
                                "labelSelector": {"matchLabels": GATEWAY_SELECTOR},
                            }
                        ],
                        "containers": [
                            {
                                "name": "istio-proxy",
                                "image": "auto",  # replaced by the injector with the control plane's proxy
                                "resources": {
                                    "requests": {"cpu": "100m", "memory": "128Mi"},
                                    "limits": {"cpu": "2", "memory": "1Gi"},
                                },
                                "securityContext": {
                                    "allowPrivilegeEscalation": False,
                                    "readOnlyRootFilesystem": True,
                                    "privileged": False,
                                    "runAsNonRoot": True,
                                    "runAsUser": PROXY_UID,
                                    "runAsGroup": PROXY_UID,
                                    "capabilities": {"drop": ["ALL"]},
                                    "seccompProfile": {"type": "RuntimeDefault"},
                                },
                                "volumeMounts": [
                                    {"name": "descriptors", "mountPath": DESCRIPTOR_DIR, "readOnly": True}
                                ],
                            }
                        ],
                        "volumes": [{"name": "descriptors", "configMap": {"name": DESCRIPTOR_CONFIGMAP}}],
                    },
                },
            },
        },
        # Unprivileged ports in the pod; the Service exposes 443 and 80.
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(topology, name, labels),
            "spec": {
                "type": "LoadBalancer",
                "selector": GATEWAY_SELECTOR,
                "ports": [
                    {"name": "status-port", "port": 15021, "targetPort": 15021, "protocol": "TCP"},
                    {"name": "http2", "port": 80, "targetPort": 8080, "protocol": "TCP"},
                    {"name": "https", "port": 443, "targetPort": 8443, "protocol": "TCP"},
                ],
            },
        },
        _autoscaler(topology, name, labels, 2, 10, 80),
        _disruption_budget(topology, name, labels),
    ]


def descriptor_configmap(topology: topo.Topology, descriptor: bytes) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(topology, DESCRIPTOR_CONFIGMAP, {"app": GATEWAY_WORKLOAD}),
        "binaryData": {DESCRIPTOR_FILE: base64.b64encode(descriptor).decode()},
    }


# --- mesh policy and traffic -------------------------------------------------------


def namespace(topology: topo.Topology) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": topology.namespace,
            "labels": {
                "app.kubernetes.io/part-of": "iworkz",
                "istio-injection": "enabled",
                # Enforcing `restricted` needs Istio CNI (istio-init wants NET_ADMIN).
                "pod-security.kubernetes.io/audit": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
            },
        },
    }


def peer_authentication(topology: topo.Topology) -> dict:
    return {
        "apiVersion": "security.istio.io/v1",
        "kind": "PeerAuthentication",
        "metadata": _meta(topology, "default"),
        "spec": {"mtls": {"mode": "STRICT"}},
    }


def authorization_policies(topology: topo.Topology) -> list[dict]:
    """Deny by default in the namespace; each service allows only its topology callers."""
    docs = [
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "AuthorizationPolicy",
            "metadata": _meta(topology, "allow-nothing"),
            "spec": {},
        }
    ]
    if topology.web is not None:
        docs.append(
            {
                "apiVersion": "security.istio.io/v1",
                "kind": "AuthorizationPolicy",
                "metadata": _meta(topology, WEB, {"app": WEB}),
                "spec": {
                    "selector": {"matchLabels": {"app": WEB}},
                    "action": "ALLOW",
                    "rules": [
                        {
                            "from": [{"source": {"principals": [principal(topology, EDGE)]}}],
                            "to": [{"operation": {"ports": [str(topology.web.port)]}}],
                        }
                    ],
                },
            }
        )
    for s in sorted(topology.services.values(), key=lambda s: s.name):
        rules = []
        if s.callers:
            rules.append(
                {
                    "from": [{"source": {"principals": sorted(principal(topology, c) for c in s.callers)}}],
                    "to": [{"operation": {"ports": [str(s.port("app"))]}}],
                }
            )
        docs.append(
            {
                "apiVersion": "security.istio.io/v1",
                "kind": "AuthorizationPolicy",
                "metadata": _meta(topology, s.name, {"app": s.name}),
                "spec": {"selector": {"matchLabels": {"app": s.name}}, "action": "ALLOW", "rules": rules},
            }
        )
    return docs


def destination_rule(topology: topo.Topology, s: topo.Service) -> dict:
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "DestinationRule",
        "metadata": _meta(topology, s.name, {"app": s.name}),
        "spec": {
            "host": fqdn(topology, s.name),
            "exportTo": ["."],
            "trafficPolicy": {
                "loadBalancer": {"simple": "ROUND_ROBIN"},
                # As the local Envoys (topology `traffic`); gRPC UNAVAILABLE counts as a gateway error (503).
                "outlierDetection": _outlier_detection(topology.traffic.outlier_detection),
                "tls": {"mode": "ISTIO_MUTUAL"},
            },
        },
    }


def _outlier_detection(outliers: topo.OutlierDetection) -> dict[str, Any]:
    return {
        "consecutive5xxErrors": outliers.consecutive_5xx,
        "consecutiveGatewayErrors": outliers.consecutive_gateway_failure,
        "splitExternalLocalOriginErrors": True,
        "consecutiveLocalOriginFailures": outliers.consecutive_local_origin_failure,
        "interval": duration(outliers.interval),
        "baseEjectionTime": duration(outliers.base_ejection_time),
        "maxEjectionPercent": outliers.max_ejection_percent,
    }


def _retries(s: topo.Service, read: bool) -> dict:
    """The callee's retries, as the local sidecars apply them.

    Reads (RPCs bound to HTTP GET) retry on the topology's `retry_on`, each try
    within `per_try_timeout`; writes and streams only when the request cannot
    have reached the service (`reset` becomes `reset-before-request`).
    """
    names = s.retries.retry_on if read else s.retries.safe_retry_on
    if not names or s.retries.attempts < 1:
        return {"attempts": 0}
    policy = {"attempts": s.retries.attempts, "retryOn": ",".join(names)}
    if read:
        policy["perTryTimeout"] = duration(s.retries.per_try_timeout)
    return policy


def _routes(
    topology: topo.Topology, s: topo.Service, image: Contracts, match_prefix: bool, cors: dict | None = None
) -> list[dict]:
    """HTTP routes to a service: its streams, its reads, then every other RPC."""
    destination = [{"destination": {"host": fqdn(topology, s.name), "port": {"number": s.port("app")}}}]
    extra: dict[str, Any] = {"corsPolicy": cors} if cors else {}
    if s.fault is not None:
        extra["fault"] = {"delay": {"fixedDelay": duration(s.fault.delay), "percentage": {"value": s.fault.percent}}}
    rpcs = image.rpcs_of(s.grpc_services)
    streams = sorted(r.grpc_path for r in rpcs if r.server_streaming or r.client_streaming)
    reads = sorted(r.grpc_path for r in rpcs if r.idempotent_read and r.grpc_path not in streams)
    routes = []
    if streams:
        # A stream lives as long as the caller wants; the caller's own deadline still holds.
        routes.append(
            {
                "name": f"{s.name}-streams",
                "match": [{"uri": {"exact": p}} for p in streams],
                "route": destination,
                "timeout": "0s",
                "retries": _retries(s, read=False),
                **extra,
            }
        )
    if reads:
        routes.append(
            {
                "name": f"{s.name}-reads",
                "match": [{"uri": {"exact": p}} for p in reads],
                "route": destination,
                "timeout": duration(s.timeout),
                "retries": _retries(s, read=True),
                **extra,
            }
        )
    rest = {
        "name": s.name,
        "route": destination,
        "timeout": duration(s.timeout),
        "retries": _retries(s, read=False),
        **extra,
    }
    if match_prefix:
        rest["match"] = [{"uri": {"prefix": f"/{g}/"}} for g in sorted(s.grpc_services)]
    routes.append(rest)
    return routes


def virtual_service(topology: topo.Topology, s: topo.Service, image: Contracts) -> dict:
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": _meta(topology, s.name, {"app": s.name}),
        "spec": {
            "hosts": [fqdn(topology, s.name)],
            "exportTo": ["."],
            "http": _routes(topology, s, image, match_prefix=False),
        },
    }


# --- edge --------------------------------------------------------------------------


def edge_services(topology: topo.Topology) -> list[topo.Service]:
    return topology.edge_services()


def public_routes(topology: topo.Topology, image: Contracts) -> dict[str, list[str]]:
    """HTTP method -> the paths a caller without a token may use at the edge.

    A public RPC is reachable as gRPC/gRPC-web (POST to its gRPC path) and as
    REST through each of its HTTP bindings.
    """
    routes: dict[str, set[str]] = {}
    for s in edge_services(topology):
        for g in s.grpc_services:
            for rpc in image.rpcs_of([g]):
                if not rpc.public:
                    continue
                routes.setdefault("POST", set()).add(rpc.grpc_path)
                for binding in rpc.bindings:
                    routes.setdefault(binding.method, set()).add(istio_path(binding.template))
    return {method: sorted(paths) for method, paths in sorted(routes.items())}


def client_streams(topology: topo.Topology, image: Contracts) -> list[str]:
    """The gRPC paths of the client-streaming RPCs that need a token (voice's Converse).

    The gateway's policy lets them in without one and a Lua filter refuses them, without a verified
    subject, once the client has finished sending (`envoy/unauthenticated_streams.lua`): refused on
    their headers, as Istio's RBAC refuses every other call, the refusal can overtake the client's
    first message and gRPC's own clients then report INTERNAL instead of UNAUTHENTICATED.
    """
    return sorted(
        rpc.grpc_path
        for s in edge_services(topology)
        for rpc in image.rpcs_of(s.grpc_services)
        if rpc.client_streaming and not rpc.public
    )


def gateway_resources(topology: topo.Topology, image: Contracts) -> list[dict]:
    """Gateway (TLS), the edge VirtualService, RequestAuthentication and the JWT AuthorizationPolicy."""
    edge = topology.edge
    selector = {"matchLabels": GATEWAY_SELECTOR}
    jwks = topology.services[edge.jwt.jwks_service]
    if not any(
        r.public and any(b.method == "GET" and b.template == JWKS_PATH for b in r.bindings)
        for r in image.rpcs_of(jwks.grpc_services)
    ):
        raise RenderError(f"{edge.jwt.jwks_service} has no public RPC bound to GET {JWKS_PATH}")
    cors = {
        "allowOrigins": [{"exact": o} for o in edge.cors_origins],
        "allowMethods": sorted(edge_policy.CORS_ALLOW_METHODS),
        "allowHeaders": CORS_ALLOW_HEADERS,
        "exposeHeaders": CORS_EXPOSE_HEADERS,
        "maxAge": duration(edge_policy.CORS_MAX_AGE_SECONDS),
        "allowCredentials": False,
        # A preflight from an origin not allowed is answered here, never forwarded (as locally).
        "unmatchedPreflights": "IGNORE",
    }
    # Methods with a body limit of their own (uploads) and conversations first: their routes carry
    # the buffer filter's per-route setting (`body_limit_patches`), as the local edge's do.
    http = _body_limit_routes(topology, image, cors)
    for s in edge_services(topology):
        http.extend(_routes(topology, s, image, match_prefix=True, cors=cors))
    # REST requests are routed after transcoding (by gRPC path); this last route
    # only answers what matched nothing, and carries the CORS policy for
    # preflights and for REST paths seen before transcoding.
    if topology.web is not None:
        # Beside the API (its REST roots, gRPC and gRPC-web, the docs), every path is the web app's.
        not_found = {
            "directResponse": {"status": 404, "body": {"string": '{"code":5,"message":"not found","details":[]}'}},
            "headers": {"response": {"set": {"content-type": "application/json"}}},
            "corsPolicy": cors,
        }
        http.append(
            {
                "name": "api-not-found",
                "match": [
                    {"uri": {"regex": edge_policy.api_path_regex(api_roots(topology, image))}},
                    {"headers": {"content-type": {"prefix": "application/grpc"}}},
                ],
                **not_found,
            }
        )
        web = [{"destination": {"host": fqdn(topology, WEB), "port": {"number": topology.web.port}}}]
        # The build's content-hashed files: a route of their own for their Cache-Control (web_cache_patches).
        http.append({"name": WEB_HASHED, "match": [{"uri": {"prefix": edge_policy.WEB_HASHED_PREFIX}}], "route": web})
        http.append(
            {
                "name": WEB,
                "route": web,
                "timeout": "0s",  # Server-Sent Events of the live pages; idle streams still time out
            }
        )
    http.append(
        {
            "name": "not-found",
            "match": [{"uri": {"prefix": "/"}}],
            "directResponse": {"status": 404, "body": {"string": '{"code":5,"message":"not found","details":[]}'}},
            "headers": {"response": {"set": {"content-type": "application/json"}}},
            "corsPolicy": cors,
        }
    )
    rules = [
        # Any valid token from our issuer (RequestAuthentication rejects invalid ones).
        {"from": [{"source": {"requestPrincipals": [f"{edge.jwt.issuer}/*"]}}]},
        # CORS preflights carry no token; the CORS filter answers them.
        {
            "to": [{"operation": {"methods": ["OPTIONS"]}}],
            "when": [{"key": "request.headers[access-control-request-method]", "values": ["*"]}],
        },
    ]
    public = public_routes(topology, image)
    if public:
        rules.append({"to": [{"operation": {"methods": [m], "paths": paths}} for m, paths in public.items()]})
    streams = client_streams(topology, image)
    if streams:
        # Refused without a token by the Lua filter once their request is complete (client_streams).
        rules.append({"to": [{"operation": {"methods": ["POST"], "paths": streams}}]})
    if topology.web is not None:
        # The web app's pages need no token (it keeps the session itself); the API's paths still do.
        grpc_prefixes = sorted(f"/{g}/*" for s in edge_services(topology) for g in s.grpc_services)
        api = [f"/{root}*" for root in api_roots(topology, image)] + grpc_prefixes
        rules.append({"to": [{"operation": {"notPaths": api}}]})
    return [
        {
            "apiVersion": "networking.istio.io/v1",
            "kind": "Gateway",
            "metadata": _meta(topology, GATEWAY),
            "spec": {
                "selector": GATEWAY_SELECTOR,
                "servers": [
                    {
                        "port": {"number": 443, "name": "https", "protocol": "HTTPS"},
                        "hosts": [PUBLIC_HOST],
                        "tls": {"mode": "SIMPLE", "credentialName": TLS_SECRET, "minProtocolVersion": "TLSV1_2"},
                    },
                    {
                        "port": {"number": 80, "name": "http", "protocol": "HTTP"},
                        "hosts": [PUBLIC_HOST],
                        "tls": {"httpsRedirect": True},
                    },
                ],
            },
        },
        {
            "apiVersion": "networking.istio.io/v1",
            "kind": "VirtualService",
            "metadata": _meta(topology, "edge"),
            "spec": {"hosts": [PUBLIC_HOST], "gateways": [GATEWAY], "http": http},
        },
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "RequestAuthentication",
            "metadata": _meta(topology, "edge-jwt"),
            "spec": {
                "selector": selector,
                "jwtRules": [
                    {
                        "issuer": edge.jwt.issuer,
                        "audiences": [edge.jwt.audience],
                        # Served by identity's GetJwks through this gateway's transcoder.
                        "jwksUri": f"https://{PUBLIC_HOST}{JWKS_PATH}",
                        # Services verify the token again (defence in depth): pass it on.
                        "forwardOriginalToken": True,
                        # The verified subject, which the client-stream check reads (a client's own copy
                        # is removed first: error_replies).
                        "outputClaimToHeaders": [{"header": edge_policy.SUBJECT_HEADER, "claim": "sub"}],
                    }
                ],
            },
        },
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "AuthorizationPolicy",
            "metadata": _meta(topology, "edge-require-jwt"),
            "spec": {"selector": selector, "action": "ALLOW", "rules": rules},
        },
    ]


FILTER_BUFFER = "envoy.filters.http.buffer"
BUFFER_PER_ROUTE = "type.googleapis.com/envoy.extensions.filters.http.buffer.v3.BufferPerRoute"


def _upload_route_name(s: topo.Service, rpc: contracts.Rpc) -> str:
    return f"{s.name}-upload-{rpc.name}"


def _duplex_route_name(s: topo.Service) -> str:
    return f"{s.name}-duplex"


def _body_limit_routes(topology: topo.Topology, image: Contracts, cors: dict) -> list[dict]:
    """Routes of the methods whose request body is not held to `edge.max_request_bytes`.

    An upload (`edge.upload_limits`) gets a route of its own, matched by its gRPC path (gRPC,
    gRPC-web) and by each REST binding (the buffer filter runs before the transcoder re-routes a
    REST call by its gRPC path, so the REST path must select the route). A conversation (both
    sides streaming, voice's Converse) gets one too: buffering it would hold every reply back.
    """
    routes: list[dict] = []
    for s in edge_services(topology):
        destination = [{"destination": {"host": fqdn(topology, s.name), "port": {"number": s.port("app")}}}]
        extra: dict[str, Any] = {"corsPolicy": cors}
        if s.fault is not None:
            extra["fault"] = {
                "delay": {"fixedDelay": duration(s.fault.delay), "percentage": {"value": s.fault.percent}}
            }
        rpcs = image.rpcs_of(s.grpc_services)
        for rpc in sorted(rpcs, key=lambda r: r.grpc_path):
            if rpc.grpc_path not in topology.edge.upload_limits:
                continue
            streaming = rpc.server_streaming or rpc.client_streaming
            routes.append(
                {
                    "name": _upload_route_name(s, rpc),
                    "match": [
                        {"uri": {"exact": rpc.grpc_path}},
                        *(
                            {"uri": {"regex": b.path_regex()}, "method": {"exact": b.method}}
                            for b in sorted(rpc.bindings, key=lambda b: (b.template, b.method))
                        ),
                    ],
                    "route": destination,
                    "timeout": "0s" if streaming else duration(s.timeout),
                    "retries": _retries(s, read=rpc.idempotent_read and not streaming),
                    **extra,
                }
            )
        duplex = sorted(r.grpc_path for r in rpcs if r.client_streaming and r.server_streaming)
        if duplex:
            routes.append(
                {
                    "name": _duplex_route_name(s),
                    "match": [{"uri": {"exact": p}} for p in duplex],
                    "route": destination,
                    "timeout": "0s",
                    "retries": _retries(s, read=False),
                    **extra,
                }
            )
    return routes


def _route_patch(route: str, per_filter: dict) -> dict:
    return {
        "applyTo": "HTTP_ROUTE",
        "match": {"context": "GATEWAY", "routeConfiguration": {"vhost": {"route": {"name": route}}}},
        "patch": {"operation": "MERGE", "value": {"typed_per_filter_config": per_filter}},
    }


def _buffer_limit(max_bytes: int) -> dict:
    return {FILTER_BUFFER: {"@type": BUFFER_PER_ROUTE, "buffer": {"max_request_bytes": max_bytes}}}


def body_limit_patches(topology: topo.Topology, image: Contracts) -> list[dict]:
    """The buffer filter's per-route limits: each upload's own (`edge.upload_limits`), none for
    conversations, the largest upload for the web app (it passes a résumé on), as the local edge."""
    patches = []
    for s in edge_services(topology):
        rpcs = image.rpcs_of(s.grpc_services)
        for rpc in sorted(rpcs, key=lambda r: r.grpc_path):
            if rpc.grpc_path in topology.edge.upload_limits:
                limit = topology.edge.request_limit(rpc.grpc_path)
                patches.append(_route_patch(_upload_route_name(s, rpc), _buffer_limit(limit)))
        if any(r.client_streaming and r.server_streaming for r in rpcs):
            patches.append(
                _route_patch(_duplex_route_name(s), {FILTER_BUFFER: {"@type": BUFFER_PER_ROUTE, "disabled": True}})
            )
    if topology.web is not None:
        patches.append(_route_patch(WEB, _buffer_limit(topology.edge.largest_request_bytes)))
    return patches


def transcoder(topology: topo.Topology, image: Contracts) -> dict:
    """EnvoyFilter: gRPC-web first, the unknown-JSON-field check and the gRPC-JSON transcoder just
    before the router."""
    services = sorted(g for s in edge_services(topology) for g in s.grpc_services)
    hcm = {"filter": {"name": "envoy.filters.network.http_connection_manager"}}
    return {
        "apiVersion": "networking.istio.io/v1alpha3",
        "kind": "EnvoyFilter",
        "metadata": _meta(topology, "edge-transcoder"),
        "spec": {
            "workloadSelector": {"labels": GATEWAY_SELECTOR},
            "configPatches": [
                # First, so that auth failures reach gRPC-web clients as grpc-status.
                {
                    "applyTo": "HTTP_FILTER",
                    "match": {"context": "GATEWAY", "listener": {"filterChain": hcm}},
                    "patch": {
                        "operation": "INSERT_FIRST",
                        "value": {
                            "name": edge_policy.GRPC_WEB,
                            "typed_config": {
                                "@type": "type.googleapis.com/envoy.extensions.filters.http.grpc_web.v3.GrpcWeb"
                            },
                        },
                    },
                },
                {
                    "applyTo": "HTTP_FILTER",
                    "match": {
                        "context": "GATEWAY",
                        "listener": {
                            "filterChain": {
                                "filter": {**hcm["filter"], "subFilter": {"name": "envoy.filters.http.router"}}
                            }
                        },
                    },
                    "patch": {
                        "operation": "INSERT_BEFORE",
                        "value": {
                            "name": edge_policy.TRANSCODER,
                            # The buffer filter holds other requests to max_request_bytes; uploads get their own.
                            "typed_config": edge_policy.transcoder(
                                f"{DESCRIPTOR_DIR}/{DESCRIPTOR_FILE}", services, topology.edge.largest_request_bytes
                            ),
                        },
                    },
                },
                # Unknown JSON fields refused before the transcoder would drop them (as the local edge does).
                {
                    "applyTo": "HTTP_FILTER",
                    "match": {
                        "context": "GATEWAY",
                        "listener": {
                            "filterChain": {"filter": {**hcm["filter"], "subFilter": {"name": edge_policy.TRANSCODER}}}
                        },
                    },
                    "patch": {
                        "operation": "INSERT_BEFORE",
                        "value": {
                            "name": edge_policy.UNKNOWN_FIELDS,
                            "typed_config": edge_policy.unknown_fields_filter(*contracts.body_checks(image, services)),
                        },
                    },
                },
                # Request bodies held to edge.max_request_bytes (413, or RESOURCE_EXHAUSTED for gRPC),
                # before the JSON check and the transcoder; the routes above set their own limits.
                {
                    "applyTo": "HTTP_FILTER",
                    "match": {
                        "context": "GATEWAY",
                        "listener": {
                            "filterChain": {
                                "filter": {**hcm["filter"], "subFilter": {"name": edge_policy.UNKNOWN_FIELDS}}
                            }
                        },
                    },
                    "patch": {
                        "operation": "INSERT_BEFORE",
                        "value": {
                            "name": FILTER_BUFFER,
                            "typed_config": {
                                "@type": "type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer",
                                "max_request_bytes": topology.edge.max_request_bytes,
                            },
                        },
                    },
                },
                # Client streams without a verified subject, refused once their request is complete, after
                # the JWT check and the RBAC filter (which lets them through: client_streams).
                {
                    "applyTo": "HTTP_FILTER",
                    "match": {
                        "context": "GATEWAY",
                        "listener": {
                            "filterChain": {"filter": {**hcm["filter"], "subFilter": {"name": FILTER_BUFFER}}}
                        },
                    },
                    "patch": {
                        "operation": "INSERT_BEFORE",
                        "value": {
                            "name": edge_policy.UNAUTHENTICATED_STREAMS,
                            "typed_config": edge_policy.unauthenticated_stream_filter(
                                client_streams(topology, image), edge_policy.SUBJECT_HEADER
                            ),
                        },
                    },
                },
                *_web_filter_patches(topology, hcm),
                *body_limit_patches(topology, image),
            ],
        },
    }


def _web_filter_patches(topology: topo.Topology, hcm: dict) -> list[dict]:
    """The web app's routes skip the transcoder (which would refuse their paths as unknown methods), and
    get the local edge's Cache-Control (`envoy/web_cache.lua`: hashed files a year and immutable, pages
    revalidated), from a Lua filter just before the router that does nothing on other routes."""
    if topology.web is None:
        return []
    disabled = {"@type": "type.googleapis.com/envoy.config.route.v3.FilterConfig", "disabled": True}
    router = {"filter": {**hcm["filter"], "subFilter": {"name": "envoy.filters.http.router"}}}
    return [
        {
            "applyTo": "HTTP_FILTER",
            "match": {"context": "GATEWAY", "listener": {"filterChain": router}},
            "patch": {
                "operation": "INSERT_BEFORE",
                "value": {"name": edge_policy.WEB_CACHE, "typed_config": edge_policy.web_cache_filter()},
            },
        },
        *(
            _route_patch(
                route,
                {edge_policy.TRANSCODER: disabled, edge_policy.WEB_CACHE: edge_policy.web_cache_route(script)},
            )
            for route, script in ((WEB_HASHED, edge_policy.WEB_HASHED_SCRIPT), (WEB, edge_policy.WEB_PAGES_SCRIPT))
        ),
    ]


def _not_grpc() -> dict:
    """Local-reply filter: the client did not speak gRPC or gRPC-web (those get grpc-status)."""
    return {
        "header_filter": {
            "header": {
                "name": edge_policy.CLIENT_CONTENT_TYPE_HEADER,
                "invert_match": True,
                "treat_missing_header_as_empty": True,
                "string_match": {"prefix": "application/grpc"},
            }
        }
    }


def error_replies(topology: topo.Topology) -> dict:
    """EnvoyFilter: the gateway's own replies shaped as the local edge's (JSON for REST).

    The local edge's local-reply mappers (`gateway/render.py`) are merged into
    the gateway's HTTP connection manager, after one of our own: Istio's RBAC
    answers a request without a token with 403, the local edge (jwt_authn)
    with 401 UNAUTHENTICATED; the mapper turns the first into the second.
    """
    no_token = [
        {"status_code_filter": {"comparison": {"op": "EQ", "value": {"default_value": 403, "runtime_key": "unused"}}}},
        {"header_filter": {"header": {"name": "authorization", "present_match": False}}},
    ]
    unauthenticated = edge_policy.HTTP_TO_GRPC_CODE[401]
    mappers = [
        {
            "filter": {"and_filter": {"filters": [*no_token, _not_grpc()]}},
            "status_code": 401,
            "body_format_override": {
                "content_type": "application/json",
                "json_format": {"code": unauthenticated, "message": "a valid access token is required", "details": []},
            },
        },
        {"filter": {"and_filter": {"filters": no_token}}, "status_code": 401},
        *edge_policy.local_reply_mappers(),
    ]
    return {
        "apiVersion": "networking.istio.io/v1alpha3",
        "kind": "EnvoyFilter",
        "metadata": _meta(topology, "edge-error-replies"),
        "spec": {
            "workloadSelector": {"labels": GATEWAY_SELECTOR},
            "configPatches": [
                {
                    "applyTo": "NETWORK_FILTER",
                    "match": {
                        "context": "GATEWAY",
                        "listener": {
                            "filterChain": {"filter": {"name": "envoy.filters.network.http_connection_manager"}}
                        },
                    },
                    "patch": {
                        "operation": "MERGE",
                        "value": {
                            "typed_config": {
                                "@type": "type.googleapis.com/envoy.extensions.filters.network."
                                "http_connection_manager.v3.HttpConnectionManager",
                                # The client's content type, kept before gRPC-web and the transcoder
                                # rewrite it (a client's own copy of the header is dropped), and a
                                # client's own subject header dropped (only the JWT check sets it).
                                "early_header_mutation_extensions": [edge_policy.client_content_type_mutation()],
                                "local_reply_config": {"mappers": mappers},
                            }
                        },
                    },
                }
            ],
        },
    }


# --- files -------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # every document stands alone: no &anchors / *aliases
        return True


def _text_block(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    """Multi-line text (the unknown-field filter's Lua) as a readable `|` block."""
    if "\n" in text:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    return dumper.represent_str(text)


_Dumper.add_representer(str, _text_block)


def to_yaml(docs: list[dict]) -> str:
    body = "---\n".join(
        yaml.dump(d, Dumper=_Dumper, sort_keys=True, default_flow_style=False, width=1 << 30, allow_unicode=True)
        for d in docs
    )
    return HEADER + body


def render(topology: topo.Topology, image_bytes: bytes) -> dict[str, str]:
    """File name -> content of every manifest in mesh/istio/."""
    image = contracts.from_image(descriptor_pb2.FileDescriptorSet.FromString(image_bytes))
    known = set(image.services())
    for s in topology.services.values():
        missing = [g for g in s.grpc_services if g not in known]
        if missing:
            raise RenderError(
                f"{s.name}: {missing} not in the descriptor image (run `python tools/protobuild.py generate`)"
            )
    exposed = sorted(g for s in edge_services(topology) for g in s.grpc_services)
    descriptor = gateway_descriptor(image, exposed)
    services = sorted(topology.services.values(), key=lambda s: s.name)
    files = {
        "namespace.yaml": [namespace(topology)],
        "peer-authentication.yaml": [peer_authentication(topology)],
        "authorization-policies.yaml": authorization_policies(topology),
        "destination-rules.yaml": [destination_rule(topology, s) for s in services],
        "virtual-services.yaml": [virtual_service(topology, s, image) for s in services],
        "ingress-gateway.yaml": gateway_workload(topology, descriptor),
        "gateway.yaml": gateway_resources(topology, image),
        "descriptor-configmap.yaml": [descriptor_configmap(topology, descriptor)],
        "transcoder.yaml": [transcoder(topology, image)],
        "error-replies.yaml": [error_replies(topology)],
    }
    if topology.web is not None:
        files[f"{WEB}.yaml"] = web_workload(topology)
    for s in services:
        if f"{s.name}.yaml" in files:
            raise RenderError(f"service name {s.name!r} clashes with a manifest file name")
        files[f"{s.name}.yaml"] = service_workload(topology, s)
    order = [
        "namespace.yaml",
        "descriptor-configmap.yaml",
        *(f"{s.name}.yaml" for s in services),
        *([f"{WEB}.yaml"] if topology.web is not None else []),
        "ingress-gateway.yaml",
        "peer-authentication.yaml",
        "authorization-policies.yaml",
        "destination-rules.yaml",
        "virtual-services.yaml",
        "gateway.yaml",
        "transcoder.yaml",
        "error-replies.yaml",
    ]
    rendered = {name: to_yaml(files[name]) for name in order}
    rendered["kustomization.yaml"] = HEADER + yaml.dump(
        {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": order},
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
    )
    return rendered


def render_default() -> dict[str, str]:
    """Render from mesh/topology.yaml and build/iworkz.binpb."""
    if not IMAGE.exists():
        raise RenderError(f"{IMAGE.relative_to(ROOT)} is missing: run `python tools/protobuild.py generate`")
    return render(topo.load(), IMAGE.read_bytes())


def differences(rendered: dict[str, str], out_dir: pathlib.Path = OUT_DIR) -> list[str]:
    """Unified diffs between the rendering and the files on disk (stale .yaml files included)."""
    diffs = []
    on_disk = {p.name for p in out_dir.glob("*.yaml")} if out_dir.exists() else set()
    for name in sorted(set(rendered) | on_disk):
        if name not in rendered:
            diffs.append(f"committed/{name}: not rendered any more (stale)\n")
            continue
        old = (out_dir / name).read_text() if name in on_disk else ""
        new = rendered.get(name, "")
        if old != new:
            diff = difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                f"committed/{name}",
                f"rendered/{name}",
                n=2,
            )
            diffs.append("".join(line if len(line) < 400 else line[:400] + " [...]\n" for line in diff))
    return diffs


def write(rendered: dict[str, str], out_dir: pathlib.Path = OUT_DIR) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in set(p.name for p in out_dir.glob("*.yaml")) - set(rendered):
        (out_dir / stale).unlink()
    for name, text in rendered.items():
        (out_dir / name).write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed files")
    args = parser.parse_args(argv)
    try:
        rendered = render_default()
    except (RenderError, topo.TopologyError) as err:
        print(f"render_istio: {err}", file=sys.stderr)
        return 1
    if args.check:
        diffs = differences(rendered)
        sys.stdout.write("".join(diffs))
        print("mesh/istio/ is up to date" if not diffs else "mesh/istio/ differs: run `python -m mesh.render_istio`")
        return 1 if diffs else 0
    write(rendered)
    print(f"wrote {len(rendered)} files to {OUT_DIR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
