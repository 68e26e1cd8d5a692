"""The pre-commit hook (.pre-commit-hooks.yaml) run as a vendor runs it: `pre-commit try-repo`.

try-repo needs a git repository, and it builds a virtualenv installing leastforce from the package
registry (as pre-commit does for every user): each run takes ~30-45 s here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from support.paths import ROOT

HOOKS = ROOT / ".pre-commit-hooks.yaml"


def test_hook_definition() -> None:
    (hook,) = YAML(typ="safe").load(HOOKS.read_text(encoding="utf-8"))
    assert hook["id"] == "leastforce-validate"
    assert hook["entry"] == "leastforce validate"
    assert hook["language"] == "python"
    assert hook["types"] == ["yaml"] and hook["pass_filenames"] is True


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's files (committed or not, ignored ones left out) as a fresh one-commit repository."""
    target = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"]):
        subprocess.run([*git, *args], cwd=target, check=True, env=_env(target))
    return target


def _env(repo: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # this venv's pre-commit
    env["PRE_COMMIT_HOME"] = str(repo.parent / "pre-commit-home")
    return env


def _try_repo(repo: Path, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command], cwd=repo, env=_env(repo), capture_output=True, text=True, timeout=600
    )


def test_examples_pass(clone: Path) -> None:
    done = _try_repo(clone, "pre-commit try-repo . leastforce-validate --files examples/*.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "leastforce validate" in done.stdout and "Passed" in done.stdout


def test_broken_manifest_fails_the_hook(clone: Path) -> None:
    done = _try_repo(
        clone, "pre-commit try-repo . leastforce-validate --files examples/broken/upflow-typos.yaml"
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Failed" in done.stdout
    assert "examples/broken/upflow-typos.yaml:18:24: error:" in done.stdout
