"""apply through the CLI when answers get lost or a step fails after the user exists: it completes
without duplicates, or it says what the org holds and saves it where the next `plan` shows it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from leastforce.cli import main
from leastforce.org.apply import pending
from support.plan import EXAMPLES, USERNAME, Checkpoint, org_state


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out = capsys.readouterr()
    return int(done.value.code or 0), out.out, out.err


@pytest.fixture
def base(emulator: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    monkeypatch.setenv("SF_ACCESS_TOKEN", emulator.admin_token)
    monkeypatch.setenv("SF_CA_BUNDLE", emulator.ca_bundle)
    monkeypatch.chdir(tmp_path)  # the report folder (.leastforce/) goes here
    return [str(EXAMPLES / "upflow.yaml"), "--org", emulator.instance_url, "--user", USERNAME]


@pytest.mark.parametrize("nth", [1, 2, 3])
def test_a_write_whose_answer_is_lost_is_found_done_and_not_made_twice(
    emulator: Any, base: list[str], capsys: pytest.CaptureFixture[str], nth: int
) -> None:
    emulator.set_faults({"lose_nth_write": nth})  # committed, then the connection closes
    code, out, err = run(["apply", *base, "--yes"], capsys)
    emulator.set_faults(None)
    assert code == 0, out + err
    assert "verify: passed" in out
    state = org_state(emulator.store)
    assert list(state["PermissionSet"]).count(("Upflow_Permissions",)) == 1
    assert run(["plan", *base, "--detailed-exitcode"], capsys)[0] == 0


def test_a_failure_after_the_user_is_created_is_saved_and_the_next_plan_shows_it(
    emulator: Any, base: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = Checkpoint(emulator.store)
    for calls in range(5, 40):  # the daily limit spent right after the user's creation
        fresh.restore()
        emulator.set_faults({"rate_limit_after": calls})
        code, _, err = run(["apply", *base, "--yes"], capsys)
        emulator.set_faults(None)
        if "user was already created" in err:
            break
    else:
        pytest.fail("no write after the user's creation")
    assert code == 3
    assert "the org now holds" in err and "created User" in err
    saved = pending.path_for(emulator.instance_url)
    assert f"saved to {saved}" in err and saved.exists()

    code, _, err = run(["plan", *base], capsys)
    assert "an earlier apply on this org" in err and "the org was not read back" in err  # limit spent
    assert "created User" in err

    code, out, _ = run(["apply", *base, "--yes"], capsys)
    assert code == 0, out
    assert not saved.exists()  # a completed apply clears the report
    assert "an earlier apply" not in run(["plan", *base], capsys)[2]
