"""deploy/monitoring: Prometheus config and rules checked and unit-tested with promtool, the
dashboards fresh, and every metric an alert or a panel queries really exported.

The exported names are collected from running processes, not from a list: `devstack.testbed`
starts identity, notifications, matching and credentials (real processes, their sidecar
Envoys and the edge, on free ports) and the test scrapes each app's /metrics and each Envoy's
/stats/prometheus.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid

import httpx
import pytest
import yaml

import topology as topo
from deploy.monitoring import dashboards

ROOT = pathlib.Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
RULES = MONITORING / "rules" / "iworkz.rules.yml"
RULE_TESTS = MONITORING / "rules" / "iworkz.rules.test.yml"
SERVICES = ["identity", "notifications", "matching", "credentials"]
# A metric name in PromQL: ours and Envoy's (recorded series use colons: iworkz:...).
METRIC = re.compile(r"\b((?:iworkz|envoy)_[a-zA-Z0-9_]+)\b")
RECORDED = re.compile(r"\b(iworkz:[a-zA-Z0-9_:]+)\b")
# Labels Prometheus adds from discovery (prometheus.yml) and histogram buckets' own.
TARGET_LABELS = ("job", "instance", "namespace", "pod", "app", "le")


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    if not promtool:
        pytest.fail("promtool is missing: apt-get install prometheus (.ci/run does)")
    return subprocess.run([promtool, *args], capture_output=True, text=True, timeout=120, cwd=MONITORING)


def test_prometheus_config_and_rules_pass_promtool_check(tmp_path):
    # Debian's Prometheus is built without Kubernetes service discovery, so promtool here rejects
    # `kubernetes_sd_configs`: it checks the rest (relabelling regexes, rule files, alerting) with
    # each job's discovery swapped for a static target.
    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
    for job in config["scrape_configs"]:
        assert job.pop("kubernetes_sd_configs")[0]["role"] == "pod"
        job["static_configs"] = [{"targets": ["127.0.0.1:9100"]}]
    (tmp_path / "rules").mkdir()
    shutil.copy(RULES, tmp_path / "rules" / RULES.name)
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    checked = _promtool("check", "config", str(tmp_path / "prometheus.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "1 rule files found" in checked.stdout
    rules = _promtool("check", "rules", str(RULES))
    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert "SUCCESS" in rules.stdout


def test_alert_rules_pass_their_unit_tests():
    result = _promtool("test", "rules", str(RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rule_unit_tests_can_fail(tmp_path):
    shutil.copy(RULES, tmp_path / RULES.name)
    broken = RULE_TESTS.read_text().replace("fails 10% of calls", "fails 1% of calls")
    assert broken != RULE_TESTS.read_text()
    (tmp_path / RULE_TESTS.name).write_text(broken)
    result = _promtool("test", "rules", str(tmp_path / RULE_TESTS.name))
    assert result.returncode != 0


def test_every_alert_has_a_unit_test_that_fires_it():
    alerts = {r["alert"] for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"] if "alert" in r}
    tested = {
        case["alertname"]
        for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert alerts == tested


def test_dashboards_are_fresh_and_provisioned():
    assert dashboards.differences(dashboards.render()) == [], "run `.venv/bin/python -m deploy.monitoring.dashboards`"
    sources = yaml.safe_load((MONITORING / "grafana/provisioning/datasources/iworkz.yaml").read_text())
    assert [d["name"] for d in sources["datasources"]] == [dashboards.DATASOURCE]
    providers = yaml.safe_load((MONITORING / "grafana/provisioning/dashboards/iworkz.yaml").read_text())
    assert providers["providers"][0]["type"] == "file"
    uids = set()
    for path in dashboards.OUT.glob("*.json"):
        board = json.loads(path.read_text())
        uids.add(board["uid"])
        assert board["panels"] and all(p["datasource"] == dashboards.DATASOURCE for p in board["panels"])
    assert uids == {"iworkz-red", "iworkz-mesh", "iworkz-events", "iworkz-engines"}


def _queries() -> list[tuple[str, str]]:
    """(where, PromQL) of every panel target, template query and rule."""
    found = []
    for path in sorted(dashboards.OUT.glob("*.json")):
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            found += [(f"{path.name}: {panel['title']}", t["expr"]) for t in panel["targets"]]
        for variable in board.get("templating", {}).get("list", []):
            found.append((f"{path.name}: ${variable['name']}", variable["query"]))
    for group in yaml.safe_load(RULES.read_text())["groups"]:
        for rule in group["rules"]:
            found.append((f"rule {rule.get('alert') or rule.get('record')}", rule["expr"]))
    return found


def _recorded() -> set[str]:
    return {r["record"] for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"] if "record" in r}


def exported(text: str) -> dict[str, set[str]]:
    """Metric name -> label names, as Prometheus would store them from a text exposition.

    Names as written (an Envoy counter has no `_total`); a family declared without a sample
    yet (a labelled metric nothing has used) counts with its series names and unknown labels."""
    found: dict[str, set[str]] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(maxsplit=3)
            suffixes = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("", "_sum", "_count")}
            for suffix in suffixes.get(kind, ("",)):
                found.setdefault(name + suffix, set())
        elif line and not line.startswith("#"):
            name = re.split(r"[{\s]", line, maxsplit=1)[0]
            found.setdefault(name, set()).update(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', line.split("}")[0]))
    return found


@pytest.fixture(scope="module")
def platform_metrics(tmp_path_factory) -> dict[str, set[str]]:
    """Every metric the running services and Envoys export, with its label names."""
    state = tmp_path_factory.mktemp("monitoring")
    info = state / "info.json"
    log = open(state / "testbed.log", "w+")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devstack.testbed",
            "--info",
            str(info),
            "--state-dir",
            str(state / "bed"),
            "--services",
            ",".join(SERVICES),
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ},
    )
    try:
        deadline = time.monotonic() + 420
        while not info.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"the testbed did not start:\n{log.read()[-4000:]}")
            time.sleep(0.5)
        topology = topo.load(state / "bed" / "topology.yaml")
        edge = json.loads(info.read_text())
        # A user signs up through the edge: identity's RPC metrics and Envoy's upstream
        # responses get samples, and notifications handles the UserSignedUp event.
        signed = httpx.post(
            f"{edge['edge']}/v1/auth:signUp",
            json={
                "email": f"monitoring-{uuid.uuid4().hex[:8]}@example.com",
                "password": "correct horse battery staple",
                "displayName": "Monitoring",
                "accountType": "ACCOUNT_TYPE_WORKER",
            },
            verify=edge["ca"],
            timeout=30,
        )
        assert signed.status_code == 200, signed.text
        notifications = topology.services["notifications"].port("metrics")
        deadline = time.monotonic() + 60
        while "iworkz_events_consumed_total" not in _scrape(f"http://127.0.0.1:{notifications}/metrics"):
            assert time.monotonic() < deadline, "notifications never handled the sign-up event"
            time.sleep(0.5)
        names: dict[str, set[str]] = {}
        urls = [f"http://127.0.0.1:{topology.edge.admin_port}/stats/prometheus"]
        for name in SERVICES:
            service = topology.services[name]
            urls += [
                f"http://127.0.0.1:{service.port('metrics')}/metrics",
                f"http://127.0.0.1:{service.port('sidecar_admin')}/stats/prometheus",
            ]
        for url in urls:
            for name, labels in _scrape(url).items():
                names.setdefault(name, set()).update(labels)
        return names
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _scrape(url: str) -> dict[str, set[str]]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return exported(response.read().decode())


def problems(expr: str, metrics: dict[str, set[str]], recorded: set[str]) -> list[str]:
    """What a query names that the platform does not export: metrics, and labels of metrics
    that have samples (in selectors and in by/without clauses)."""
    out = []
    bare = re.sub(r"\b(?:by|without)\s*\([^)]*\)", "", re.sub(r'"[^"]*"', '""', expr))
    selectors = re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?", bare)
    used = {name for name, _ in selectors if METRIC.fullmatch(name) or RECORDED.fullmatch(name)}
    if not used:
        return [f"no metric name in {expr!r}"]
    known_labels = set(TARGET_LABELS)
    for name in used:
        if RECORDED.fullmatch(name):
            if name not in recorded:
                out.append(f"{name} is recorded by no rule")
            known_labels |= {"service", "method"}
        elif name not in metrics:
            out.append(f"{name} is not exported")
        else:
            known_labels |= metrics[name]
    all_sampled = all(metrics.get(n) for n in used if not RECORDED.fullmatch(n))
    for name, matchers in selectors:
        if matchers and name in metrics and metrics[name]:
            for label in re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!=|!~|=)", matchers):
                if label not in metrics[name] | set(TARGET_LABELS):
                    out.append(f"{name} has no label {label!r}")
    if all_sampled:
        for clause in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
            out += [
                f"no metric here has label {label!r}"
                for label in re.findall(r"\w+", clause)
                if label not in known_labels
            ]
    return out


def test_every_query_names_metrics_and_labels_the_platform_exports(platform_metrics):
    assert platform_metrics["iworkz_grpc_server_handled_total"] >= {"service", "method", "code"}  # the scrape worked
    recorded = _recorded()
    found = [f"{where}: {p}" for where, expr in _queries() for p in problems(expr, platform_metrics, recorded)]
    assert not found, "\n".join(found)


def test_the_query_check_can_fail(platform_metrics):
    recorded = _recorded()
    assert problems("rate(iworkz_grpc_server_handled[5m])", platform_metrics, recorded) == [
        "iworkz_grpc_server_handled is not exported"
    ]
    assert problems('sum by (cluster) (envoy_cluster_upstream_rq_total{envoy_cluster="x"})', platform_metrics, recorded)
    assert problems("iworkz:rpc_errors:rate1m", platform_metrics, recorded)
    assert problems("sum(rate(x[5m]))", platform_metrics, recorded)
