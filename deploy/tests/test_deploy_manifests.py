"""deploy/: the Kustomize base and overlays are fresh, build, validate, and say what the topology says.

Each overlay is built with the real Kustomize (`kubectl kustomize`, Kustomize 5 built into
kubectl), and the merged output is what is checked:
- every Kubernetes resource validates with kubernetes-validate (strict), every Istio resource
  with Istio's CRD schemas (mesh/istio-schema-check);
- the Deployments name the overlay's images, carry its requests and limits, and every pod
  template passes Pod Security "restricted" (checked field by field, as the admission
  controller does), which the namespace enforces;
- each service has a PodDisruptionBudget and an HPA on CPU and on requests per second, the
  metric prometheus-adapter derives from the counter the runtime really exports;
- the NetworkPolicies, evaluated as a cluster would, let a pod reach a service's gRPC port
  exactly when the topology lists it as a caller (and nothing else in the namespace).
"""

from __future__ import annotations

import copy
import json
import pathlib
import shutil
import subprocess
from typing import Any

import kubernetes_validate
import pytest
import yaml

import topology as topo
from deploy import render as dr
from mesh import render_istio as ri
from services.runtime import interceptors

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHECKER_DIR = ROOT / "mesh" / "istio-schema-check"
K8S_VERSION = "1.34"
ENVIRONMENTS = yaml.safe_load(dr.ENVIRONMENTS.read_text())
ENVS = sorted(ENVIRONMENTS["environments"])


@pytest.fixture(scope="module")
def topology() -> topo.Topology:
    return topo.load()


def _kustomize(path: pathlib.Path) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if not kubectl:
        pytest.fail("kubectl (with its built-in Kustomize) is needed to build the overlays")
    result = subprocess.run([kubectl, "kustomize", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


@pytest.fixture(scope="module")
def built() -> dict[str, list[dict[str, Any]]]:
    if not ri.IMAGE.exists():
        pytest.fail(f"{ri.IMAGE} is missing: run make proto")
    return {env: _kustomize(dr.DEPLOY / "overlays" / env) for env in ENVS}


def _is_istio(doc: dict) -> bool:
    return doc["apiVersion"].split("/")[0].endswith("istio.io")


def _of(docs, kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_committed_files_equal_a_fresh_rendering():
    diffs = dr.differences(dr.render_default())
    assert not diffs, "run `.venv/bin/python -m deploy.render` and commit:\n" + "\n".join(diffs)


def test_an_environment_missing_a_service_stops_the_rendering(topology):
    broken = copy.deepcopy(ENVIRONMENTS)
    del broken["environments"]["prod"]["services"]["identity"]
    with pytest.raises(dr.RenderError, match="missing \\['identity'\\]"):
        dr.render(topology, broken)


@pytest.mark.parametrize("env", ENVS)
def test_every_kubernetes_resource_matches_the_schemas(built, env):
    kinds = set()
    for doc in built[env]:
        if _is_istio(doc):
            continue
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as err:
            pytest.fail(f"{env}: {doc['kind']} {doc['metadata']['name']}: {list(err.path)}: {err.message}")
        kinds.add(doc["kind"])
    assert {"Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "ConfigMap"} <= kinds


@pytest.mark.parametrize("env", ENVS)
def test_every_istio_resource_matches_istios_schemas(built, env, tmp_path):
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "node and npm are needed for mesh/istio-schema-check"
    if not (CHECKER_DIR / "node_modules" / "@kubernetes-models" / "istio").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CHECKER_DIR, check=True)
    (tmp_path / "built.yaml").write_text(yaml.safe_dump_all(built[env]))
    result = subprocess.run(
        [node, "check.mjs", "--json", str(tmp_path / "built.yaml")],
        cwd=CHECKER_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(result.stdout)
    errors = [f"{r['kind']} {r['name']}: {r['error']}" for r in report["results"] if r["error"]]
    assert result.returncode == 0 and not errors, "\n".join(errors)
    assert len(report["results"]) == sum(1 for d in built[env] if _is_istio(d)) > 0


@pytest.mark.parametrize("env", ENVS)
def test_deployments_name_the_overlays_images_and_resources(built, env, topology):
    spec = ENVIRONMENTS["environments"][env]
    deployments = _of(built[env], "Deployment")
    for s in topology.services.values():
        [container] = deployments[s.name]["spec"]["template"]["spec"]["containers"]
        assert container["image"] == f"{spec['image']['prefix']}/{s.name}:{spec['image']['tag']}"
        assert container["resources"] == spec["services"][s.name]["resources"]
        assert deployments[s.name]["metadata"]["labels"]["iworkz.io/environment"] == env


@pytest.mark.parametrize("env", ENVS)
def test_each_service_scales_on_cpu_and_requests_per_second(built, env, topology):
    spec = ENVIRONMENTS["environments"][env]
    hpas, pdbs = _of(built[env], "HorizontalPodAutoscaler"), _of(built[env], "PodDisruptionBudget")
    for s in topology.services.values():
        hpa = hpas[s.name]["spec"]
        assert (hpa["minReplicas"], hpa["maxReplicas"]) == (s.replicas, s.replicas * spec["max_factor"])
        by_type = {m["type"]: m for m in hpa["metrics"]}
        assert by_type["Resource"]["resource"]["name"] == "cpu"
        assert by_type["Pods"]["pods"]["metric"]["name"] == dr.RPS_METRIC
        assert by_type["Pods"]["pods"]["target"]["averageValue"] == str(spec["services"][s.name]["rps"])
        assert pdbs[s.name]["spec"]["selector"]["matchLabels"] == {"app": s.name}
    # prometheus-adapter serves that metric from the counter the runtime really exports.
    [adapter] = [d for d in built[env] if d["kind"] == "ConfigMap" and d["metadata"]["name"].endswith("adapter")]
    [rule] = yaml.safe_load(adapter["data"]["config.yaml"])["rules"]
    assert rule["name"]["as"] == dr.RPS_METRIC
    assert rule["seriesQuery"].startswith(interceptors.REQUESTS._name + "_total{")


# --- Pod Security "restricted" -------------------------------------------------------------

_RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim"}
_RESTRICTED_VOLUMES |= {"projected", "secret"}


def restricted_violations(pod: dict[str, Any]) -> list[str]:
    """Pod Security Standards, "restricted" (latest), for a pod spec: what admission would refuse."""
    out = []
    pod_ctx = pod.get("securityContext", {})
    for flag in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(flag):
            out.append(f"{flag} is set")
    for volume in pod.get("volumes", []):
        kinds = set(volume) - {"name"}
        if not kinds <= _RESTRICTED_VOLUMES:
            out.append(f"volume {volume['name']}: {sorted(kinds)} not allowed")
    containers = [*pod.get("initContainers", []), *pod.get("containers", [])]
    for c in containers:
        ctx = c.get("securityContext", {})
        name = c["name"]
        if ctx.get("privileged"):
            out.append(f"{name}: privileged")
        if ctx.get("allowPrivilegeEscalation") is not False:
            out.append(f"{name}: allowPrivilegeEscalation must be false")
        if ctx.get("runAsNonRoot", pod_ctx.get("runAsNonRoot")) is not True:
            out.append(f"{name}: runAsNonRoot must be true")
        if ctx.get("runAsUser", pod_ctx.get("runAsUser")) == 0:
            out.append(f"{name}: runAsUser 0")
        seccomp = ctx.get("seccompProfile", pod_ctx.get("seccompProfile", {})).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            out.append(f"{name}: seccompProfile must be RuntimeDefault or Localhost")
        caps = ctx.get("capabilities", {})
        if "ALL" not in caps.get("drop", []):
            out.append(f"{name}: capabilities must drop ALL")
        if set(caps.get("add", [])) - {"NET_BIND_SERVICE"}:
            out.append(f"{name}: adds capabilities {caps['add']}")
        for port in c.get("ports", []):
            if port.get("hostPort"):
                out.append(f"{name}: hostPort")
    return out


@pytest.mark.parametrize("env", ENVS)
def test_pods_meet_pod_security_restricted_and_the_namespace_enforces_it(built, env, topology):
    [ns] = [d for d in built[env] if d["kind"] == "Namespace"]
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    deployments = _of(built[env], "Deployment")
    assert set(topology.services) | {ri.GATEWAY_WORKLOAD} <= set(deployments)
    for name, d in deployments.items():
        assert restricted_violations(d["spec"]["template"]["spec"]) == [], name


def test_the_restricted_check_can_fail(built):
    pod = copy.deepcopy(_of(built["prod"], "Deployment")["identity"]["spec"]["template"]["spec"])
    pod["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = True
    pod["containers"][0]["securityContext"]["capabilities"] = {"drop": ["ALL"], "add": ["NET_ADMIN"]}
    pod["volumes"].append({"name": "host", "hostPath": {"path": "/"}})
    assert len(restricted_violations(pod)) == 3


# --- NetworkPolicies, evaluated ------------------------------------------------------------


def _matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def _peer_admits(peer: dict[str, Any], namespace: str, labels: dict[str, str], own_namespace: str) -> bool:
    if "namespaceSelector" in peer:
        ns_labels = {"kubernetes.io/metadata.name": namespace}
        if not _matches(peer["namespaceSelector"], ns_labels):
            return False
    elif namespace != own_namespace:
        return False
    return _matches(peer.get("podSelector", {}), labels)


def _rule_admits(rule: dict[str, Any], key: str, namespace: str, labels: dict[str, str], port: int, own: str) -> bool:
    if "ports" in rule and not any(p["port"] == port and p.get("protocol", "TCP") == "TCP" for p in rule["ports"]):
        return False
    peers = rule.get(key)
    return peers is None or any(_peer_admits(p, namespace, labels, own) for p in peers)


def allowed(policies: list[dict], src: dict[str, str], dst: dict[str, str], port: int, ns: str) -> bool:
    """Whether a pod (labels `src`) may open TCP `port` on a pod (labels `dst`), both in `ns`:
    the destination's ingress and the source's egress must each admit it (NetworkPolicy semantics:
    a pod selected by a policy of a direction allows only what some such policy admits)."""

    def direction(pod: dict[str, str], peer: dict[str, str], kind: str, key: str) -> bool:
        selecting = [
            p for p in policies if kind in p["spec"]["policyTypes"] and _matches(p["spec"]["podSelector"], pod)
        ]
        if not selecting:
            return True
        return any(_rule_admits(r, key, ns, peer, port, ns) for p in selecting for r in p["spec"].get(kind.lower(), []))

    return direction(dst, src, "Ingress", "from") and direction(src, dst, "Egress", "to")


@pytest.mark.parametrize("env", ENVS)
def test_network_policies_admit_exactly_the_topology_callers(built, env, topology):
    policies = [d for d in built[env] if d["kind"] == "NetworkPolicy"]
    pods = {name: {"app": name} for name in topology.services} | {topo.EDGE: dict(ri.GATEWAY_SELECTOR)}
    pods["stranger"] = {"app": "stranger"}
    for callee in topology.services.values():
        for caller, labels in pods.items():
            expected = caller in callee.callers
            got = allowed(policies, labels, pods[callee.name], callee.port("app"), topology.namespace)
            assert got == expected, f"{env}: {caller} -> {callee.name}: {got}, topology says {expected}"
        # Other ports stay closed to callers too (the metrics port is Prometheus's alone).
        for caller in callee.callers:
            assert not allowed(policies, pods[caller], pods[callee.name], callee.port("metrics"), topology.namespace)


def test_the_network_policy_evaluation_can_fail(built, topology):
    policies = copy.deepcopy([d for d in built["prod"] if d["kind"] == "NetworkPolicy"])
    [identity] = [p for p in policies if p["metadata"]["name"] == "identity"]
    identity["spec"]["ingress"][0]["from"].append({"podSelector": {"matchLabels": {"app": "stranger"}}})
    stranger, target = {"app": "stranger"}, {"app": "identity"}
    # The stranger's own egress (default deny) still stops it...
    assert not allowed(policies, stranger, target, topology.services["identity"].port("app"), topology.namespace)
    # ...and with an egress policy of its own the widened ingress lets it in.
    policies.append({"spec": {"podSelector": {"matchLabels": stranger}, "policyTypes": ["Egress"], "egress": [{}]}})
    assert allowed(policies, stranger, target, topology.services["identity"].port("app"), topology.namespace)
