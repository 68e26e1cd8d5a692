"""A cached synthetic org served by `leastforce emulator serve` in its own process (own GIL, own core).

The cached state is copied to a temporary directory first, so the cache stays pristine (sessions,
request counters and login history of a bench run never leak into the next one).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests


@dataclass(frozen=True)
class ServedOrg:
    """How to reach the served org; ``api_requests()`` reads the emulator's request counter."""

    instance_url: str
    ca_bundle: str
    access_token: str
    control_key: str

    def api_requests(self) -> int:
        """API requests counted so far (GET /_emulator/stats; the control endpoint is not counted)."""
        response = requests.get(
            f"{self.instance_url}/_emulator/stats",
            headers={"Authorization": f"Bearer {self.control_key}"},
            verify=self.ca_bundle,
            timeout=30,
        )
        response.raise_for_status()
        return int(response.json()["api_requests"]["used"])


@contextmanager
def served_org(state_dir: Path) -> Iterator[ServedOrg]:
    """Serve a copy of ``state_dir`` on a free loopback port until the block ends."""
    with tempfile.TemporaryDirectory(prefix="leastforce-bench-") as temp:
        state = Path(temp) / "org"
        shutil.copytree(state_dir, state)
        command = [sys.executable, "-m", "leastforce", "emulator", "serve", "--state", str(state), "--json"]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        try:
            yield _announced(proc)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _announced(proc: subprocess.Popen[str]) -> ServedOrg:
    """Parse the JSON envelope `emulator serve --json` prints once it listens."""
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line)
        if line.rstrip() == "}":
            break
    if not lines or proc.poll() is not None:
        raise RuntimeError("the emulator did not start: " + "".join(lines)[-2000:])
    info = json.loads("".join(lines))["result"]
    return ServedOrg(info["instanceUrl"], info["caBundle"], info["accessToken"], info["controlKey"])


def leastforce_process(org: ServedOrg, args: list[str]) -> tuple[bytes, float, float]:
    """``leastforce ARGS`` against ``org`` in a child process, as a user runs it: (its standard output,
    seconds, its peak RSS in MB). The command runs under a small launcher that reports its wait4 figure:
    Linux starts a forked child's peak at its parent's size (a bench holding an L snapshot's tables is
    gigabytes) and keeps it across exec, so the command must be forked from a small process."""
    unset = ("LEASTFORCE_ORG", "SF_USERNAME", "SF_CLIENT_ID", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env |= {"SF_ACCESS_TOKEN": org.access_token, "SF_CA_BUNDLE": org.ca_bundle}
    command = [sys.executable, "-m", "leastforce", *args]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *command], env=env, capture_output=True, check=False
    )
    seconds = time.perf_counter() - started
    peak = done.stderr.rsplit(b"MAXRSS ", 1)[-1].split()[0]
    return done.stdout, seconds, int(peak) / 1024  # Linux: kilobytes


_LAUNCHER = (
    "import os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[1:])\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "sys.stderr.write(f'\\nMAXRSS {usage.ru_maxrss}\\n')\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)
