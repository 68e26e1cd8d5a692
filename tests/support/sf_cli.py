"""Run the Salesforce CLI (`sf`) against the emulator from a test: found on PATH or at $LEASTFORCE_SF_BIN
(a `node` beside it goes first on PATH: the CLI needs Node 22); HOME and sf's config live in the test's tmp
dir. Missing `sf` skips the test with the reason (fails it in CI, support/paths.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from support.paths import missing


def sf_binary() -> str:
    given = os.environ.get("LEASTFORCE_SF_BIN")
    found = (given if Path(given).exists() else None) if given else shutil.which("sf")
    if found is None:
        missing(
            "the Salesforce CLI (sf) is not installed; run scripts/install-sf-cli.sh and set "
            "LEASTFORCE_SF_BIN, or put sf on PATH"
        )
        raise AssertionError("unreachable")
    return found


class SfCli:
    """`sf ... --json` logged in to `emulator` as its admin (alias `emu`)."""

    def __init__(self, emulator: Any, home: Path) -> None:
        self.binary, self.emulator = sf_binary(), emulator
        home.mkdir(parents=True, exist_ok=True)
        beside = Path(self.binary).parent
        path = os.environ.get("PATH", "")
        self.env = {
            "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
            "PATH": f"{beside}{os.pathsep}{path}" if (beside / "node").exists() else path,
            "NO_COLOR": "1", "SF_DISABLE_TELEMETRY": "true", "SF_AUTOUPDATE_DISABLE": "true",
            # what @oclif/plugin-update's init hook reads (scopedEnvVarTrue("DISABLE_AUTOUPDATE")):
            # without it every sf call leaves an `sf update --autoupdate` process behind
            "SF_DISABLE_AUTOUPDATE": "true",
            "SF_USE_GENERIC_UNIX_KEYCHAIN": "true", "NODE_EXTRA_CA_CERTS": emulator.ca_bundle,
            "SF_ACCESS_TOKEN": emulator.admin_token,
        }  # fmt: skip
        self.run(
            "org", "login", "access-token", "--instance-url", emulator.instance_url, "--no-prompt",
            "--alias", "emu", cwd=home,
        )  # fmt: skip

    def run(self, *args: str, cwd: Path, ok: bool = True) -> dict[str, Any]:
        done = subprocess.run(
            [self.binary, *args, "--json"], env=self.env, cwd=cwd, capture_output=True, text=True,
            timeout=240, check=False,
        )  # fmt: skip
        try:
            answer: dict[str, Any] = json.loads(done.stdout)
        except ValueError:
            pytest.fail(f"sf {' '.join(args)} printed no JSON: {done.stdout}\n{done.stderr}")
        if ok and answer.get("status") != 0:
            log = "\n".join(self.emulator.requests_log()[-15:])
            pytest.fail(f"sf {' '.join(args)} failed: {json.dumps(answer)[:3000]}\nrecent calls:\n{log}")
        return answer
