"""The shipped deployment: the production config passes `tollgate check-config` as the image, the systemd unit and the
Kubernetes ConfigMap carry it; the Kubernetes manifests validate against the API schemas (kubernetes-validate, strict);
the Deployment keeps the promises of the README (3 replicas, non-root, read-only root filesystem, probes, a drain that
fits the grace period)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from conftest import REPO_ROOT, tollgate_binary

MANIFESTS = REPO_ROOT / "deploy" / "kubernetes"
PRODUCTION = REPO_ROOT / "config" / "tollgate.production.json"


def documents() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(MANIFESTS.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                found.append((path.name, document))
    return found


def resource(kind: str, name: str) -> dict:
    return next(d for _, d in documents() if d["kind"] == kind and d["metadata"]["name"] == name)


def check_config(config: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "REDIS_PASSWORD"} | (env or {})
    return subprocess.run([str(tollgate_binary()), "check-config", "--config", str(config)], capture_output=True, text=True,
                          timeout=60, env=environment)


@pytest.mark.parametrize("version", ["1.30.0", kubernetes_validate.latest_version()])
def test_manifests_validate_strictly(version):
    for name, document in documents():
        kubernetes_validate.validate(document, version, strict=True)


def test_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    assert listed == {p.name for p in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml"}
    kinds = {d["kind"] for _, d in documents()}
    assert {"Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "ConfigMap", "Secret", "StatefulSet", "Job"} <= kinds
    job = resource("Job", "tollgate-store-import")["spec"]["template"]["spec"]["containers"][0]
    assert job["args"][:3] == ["store", "import", "--if-empty"], "the one-off import never overwrites a catalogue edited since"


def test_production_config_passes_check_config():
    result = check_config(PRODUCTION)
    assert result.returncode == 0, result.stderr
    config = json.loads(PRODUCTION.read_text())
    assert config["listen"] == ["0.0.0.0:8080"], "reachable from outside a container"
    assert "endpoint" not in config["upstream"] and "sts_endpoint" not in config["upstream"], "Bedrock's real endpoints"
    assert config["ledger"]["directory"].startswith("/var/lib/tollgate/")
    assert config["audit"].startswith("/var/lib/tollgate/")


def test_the_configmap_carries_the_production_config_and_it_checks(tmp_path):
    data = resource("ConfigMap", "tollgate-config")["data"]
    in_cluster = json.loads(data["tollgate.json"])
    store = in_cluster.pop("store")
    assert in_cluster == json.loads(PRODUCTION.read_text()), "the production config, plus the fleet's store"
    assert store["redis"]["url"].startswith("redis://redis.tollgate.svc")
    assert store["redis"]["password_env"] == "REDIS_PASSWORD"
    assert json.loads(data["catalogue.json"]) == json.loads((REPO_ROOT / "config" / "catalogue.json").read_text())
    # The directory the projected volume makes: the ConfigMap's files and the keys Secret under the name the config uses.
    for name, text in data.items():
        (tmp_path / name).write_text(text)
    deployment = resource("Deployment", "tollgate")
    projected = next(v for v in deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == "config")["projected"]
    secret_item = next(s["secret"] for s in projected["sources"] if "secret" in s)["items"][0]
    secret_name = next(s["secret"]["name"] for s in projected["sources"] if "secret" in s)
    keys = resource("Secret", secret_name)["stringData"][secret_item["key"]]
    (tmp_path / secret_item["path"]).write_text(keys)
    assert secret_item["path"] == json.loads(data["tollgate.json"])["keys"]
    result = check_config(tmp_path / "tollgate.json", env={"REDIS_PASSWORD": "from-the-secret"})
    assert result.returncode == 0, result.stderr
    # Without the Secret's variable, the fleet config is refused by name.
    unset = check_config(tmp_path / "tollgate.json")
    assert unset.returncode == 1 and "REDIS_PASSWORD" in unset.stderr


def test_the_image_and_the_unit_use_the_production_config():
    dockerfile = (REPO_ROOT / "deploy" / "Dockerfile").read_text()
    assert "COPY config/tollgate.production.json /etc/tollgate/tollgate.json" in dockerfile
    unit = (REPO_ROOT / "deploy" / "tollgate.service").read_text()
    assert "--config /etc/tollgate/tollgate.json" in unit


def test_the_deployment_is_hardened_and_drains_within_its_grace():
    deployment = resource("Deployment", "tollgate")
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    container = pod["containers"][0]
    assert spec["replicas"] == 3
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["args"][-1] == "/etc/tollgate/tollgate.json"
    grace_ms = json.loads(PRODUCTION.read_text())["limits"]["shutdown_grace_ms"]
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    assert pod["terminationGracePeriodSeconds"] >= pre_stop + grace_ms / 1000, "SIGKILL must not cut the drain short"
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert "/var/lib/tollgate" in mounts, "the ledger and audit log need a writable volume"
    assert container["resources"]["requests"]["memory"] and container["resources"]["limits"]["memory"]
    budget = resource("PodDisruptionBudget", "tollgate")
    assert budget["spec"]["minAvailable"] < spec["replicas"]
