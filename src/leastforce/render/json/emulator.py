"""``emulator serve --json``: how to reach the emulator (its own demo admin, not any real org's)."""

from __future__ import annotations

from leastforce.render.json.base import JsonModel


class EmulatorOutput(JsonModel):
    instance_url: str
    ca_bundle: str
    access_token: str
    username: str
    password: str
    control_key: str
    org_id: str
    state_dir: str
    note: str
    packages: list[str] = []  # installed managed packages, as "Name namespace version"
