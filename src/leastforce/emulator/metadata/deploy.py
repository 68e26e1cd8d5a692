"""deploy(): unzip, check the manifest against the files, write each component through the store's rules,
and build the DeployResult that checkDeployStatus returns.

DeployResult and DeployMessage fields as the Metadata API documents them
(https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_deployresult.htm):
each component gets a DeployMessage (componentType, fullName, fileName, created/changed/deleted,
success; failures add problem, problemType "Error", lineNumber, columnNumber). package.xml itself is
reported as a success with an empty componentType, as real deploys list it (UNVERIFIED by a page).
rollbackOnError (default true) rolls every component back when one fails; checkOnly rolls back always.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from typing import Any

from leastforce.emulator.metadata.archive import DeployZip, Member, ZipProblem, read_zip
from leastforce.emulator.metadata.content import unsupported
from leastforce.emulator.metadata.jobs import now
from leastforce.emulator.metadata.types import DEPLOY_ORDER, TYPES
from leastforce.emulator.metadata.xml import ParseProblem, safe_parse
from leastforce.emulator.rules.user_access import effective_permissions
from leastforce.emulator.store.txn import Caller, Txn


@dataclass(frozen=True)
class DeployOptions:
    check_only: bool = False
    rollback_on_error: bool = True
    ignore_warnings: bool = False
    test_level: str = "NoTestRun"


PERMISSION_TYPES = frozenset({"PermissionSet", "Profile", "MutingPermissionSet"})


class _Rollback(Exception):
    """Raised inside the transaction so the store rolls every write back."""


def run_deploy(
    store: Any, caller: Caller, data: bytes, options: DeployOptions, job_id: str, user: dict[str, str]
) -> dict[str, Any]:
    """Deploy the zip `data` as `caller`; the DeployResult (done, with details)."""
    started = now()
    try:
        archive = read_zip(data)
    except ZipProblem as exc:
        return _result(job_id, options, user, started, [], [], error=str(exc))
    outcome: dict[str, list[dict[str, Any]]] = {}

    def work(txn: Txn) -> None:
        outcome["messages"] = _components(txn, caller, archive, options)
        failed = any(not m["success"] for m in outcome["messages"])
        if options.check_only or (failed and options.rollback_on_error):
            raise _Rollback

    with contextlib.suppress(_Rollback):  # the writes are undone; the messages stay
        store.transaction(caller, work)
    messages = outcome.get("messages", [])
    successes = [m for m in messages if m["success"]]
    failures = [m for m in messages if not m["success"]]
    if failures and options.rollback_on_error:
        successes = [{**m, "changed": False, "created": False} for m in successes]
    return _result(job_id, options, user, started, successes, failures)


def _components(txn: Txn, caller: Caller, archive: DeployZip, options: DeployOptions) -> list[dict[str, Any]]:
    messages = [_message("", "package.xml", "package.xml", success=True)]
    if not caller.system:  # one deploy, one check of the deployer's rights: as they were when it began
        caller = replace(caller, held=frozenset(effective_permissions(txn, caller.user_id)))
    order = {name: i for i, name in enumerate(DEPLOY_ORDER)}
    members = sorted(archive.members, key=lambda m: order.get(m.type_name, len(order)))
    for index, member in enumerate(members):
        txn.conn.execute(f"SAVEPOINT component{index}")
        message = _one(txn, caller, archive, member)
        if not message["success"]:
            txn.conn.execute(f"ROLLBACK TO component{index}")
        txn.conn.execute(f"RELEASE component{index}")
        messages.append(message)
    return messages


def _one(txn: Txn, caller: Caller, archive: DeployZip, member: Member) -> dict[str, Any]:
    kind = TYPES.get(member.type_name)
    if kind is None:
        # Types the local org does not emulate are refused, never silently skipped.
        return _failure(
            member.type_name,
            member.full_name,
            "package.xml",
            f"Unsupported metadata type in the local org: {member.type_name}",
        )
    path = kind.path(member.full_name)
    data = archive.files.get(path) or archive.files.get(path + "-meta.xml")
    file_name = archive.root + path
    if data is None:
        problem = f"An object '{member.full_name}' of type {kind.name} was named in package.xml, but was not found in zipped directory"  # UNVERIFIED wording
        return _failure(kind.name, member.full_name, "package.xml", problem)
    try:
        root = safe_parse(data, file_name)
        created = kind.deploy(txn, caller, member.full_name, root)
    except ParseProblem as exc:
        return _failure(kind.name, member.full_name, file_name, exc.problem, exc.line, exc.column)
    done = _message(
        kind.name, member.full_name, file_name, success=True, created=created, changed=not created
    )
    ignored = unsupported(root) if kind.name in PERMISSION_TYPES else []
    if ignored:
        # Never silently: a success with a Warning (DeployProblemType; sf lists warnings of componentSuccesses)
        # naming what the local org did not store. Salesforce stores these; the wording is the local org's.
        names = ", ".join(f"{name} (line {line})" for name, line in ignored)
        done.update(problem=f"Not stored by the local org, ignored: {names}", problemType="Warning")
        done.update(lineNumber=ignored[0][1], columnNumber=1)
    return done


def _message(
    component_type: str,
    full_name: str,
    file_name: str,
    *,
    success: bool,
    created: bool = False,
    changed: bool = False,
) -> dict[str, Any]:
    return {
        "changed": changed, "componentType": component_type, "created": created, "createdDate": now(),
        "deleted": False, "fileName": file_name, "fullName": full_name, "success": success,
    }  # fmt: skip


def _failure(
    component_type: str, full_name: str, file_name: str, problem: str, line: int = 0, column: int = 0
) -> dict[str, Any]:
    failed = _message(component_type, full_name, file_name, success=False)
    failed.update(problem=problem, problemType="Error")
    if line:
        failed.update(lineNumber=line, columnNumber=column or 1)
    return failed


def _result(
    job_id: str,
    options: DeployOptions,
    user: dict[str, str],
    started: str,
    successes: list[dict[str, Any]],
    failures: list[dict[str, Any]],
    error: str | None = None,
) -> dict[str, Any]:
    components = [m for m in successes + failures if m["componentType"]]
    failed = bool(failures) or error is not None
    result: dict[str, Any] = {
        "checkOnly": options.check_only, "completedDate": now(), "createdBy": user["id"],
        "createdByName": user["name"], "createdDate": started,
        "details": {"componentFailures": failures, "componentSuccesses": successes},
        "done": True, "id": job_id, "ignoreWarnings": options.ignore_warnings, "lastModifiedDate": now(),
        "numberComponentErrors": len(failures), "numberComponentsDeployed": len(components) - len(failures),
        "numberComponentsTotal": len(components), "numberTestErrors": 0, "numberTestsCompleted": 0,
        "numberTestsTotal": 0, "rollbackOnError": options.rollback_on_error, "runTestsEnabled": False,
        "startDate": started, "status": "Failed" if failed else "Succeeded", "success": not failed,
    }  # fmt: skip
    if error is not None:
        result.update(errorMessage=error, errorStatusCode="UNKNOWN_EXCEPTION")  # UNVERIFIED code
    if failed and options.rollback_on_error:
        result["numberComponentsDeployed"] = 0
    elif failures and successes[1:]:
        result["status"] = "SucceededPartial"  # DeployStatus enum, same page
    return result
