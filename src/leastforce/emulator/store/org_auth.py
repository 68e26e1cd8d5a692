"""The store's users, sessions and connected apps (store/auth.py), each call one transaction or read."""

from __future__ import annotations

from typing import Any

from leastforce.emulator.rules import user_access as permissions
from leastforce.emulator.store import app_policy, auth
from leastforce.emulator.store.core import StoreCore
from leastforce.emulator.store.txn import Caller


class StoreAuth(StoreCore):
    """Permissions, passwords, sessions, connected apps and login history."""

    def effective_permissions(self, user_id: str) -> frozenset[str]:
        with self._read(Caller(user_id)) as txn:
            return permissions.effective_permissions(txn, user_id)

    def find_user(self, username: str) -> dict[str, Any] | None:
        with self._read(Caller("", system=True)) as txn:
            return auth.find_user(txn, username)

    def check_password(self, user_id: str, password: str) -> bool:
        with self._read(Caller("", system=True)) as txn:
            return auth.check_password(txn, user_id, password)

    def set_password(self, user_id: str, password: str) -> None:
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            auth.set_password(txn, user_id, password)

    def create_session(self, user_id: str, *, app: str | None) -> str:
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            return auth.create_session(txn, self.org_id, user_id, app)

    def session_user(self, token: str) -> str | None:
        with self._read(Caller("", system=True)) as txn:
            return auth.session_user(txn, token)

    def revoke_session(self, token: str) -> None:
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            auth.revoke_session(txn, token)

    def expire_sessions(self) -> None:
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            auth.expire_sessions(txn)

    def connected_app(self, client_id: str) -> dict[str, Any] | None:
        with self._read(Caller("", system=True)) as txn:
            return auth.connected_app(txn, client_id)

    def add_connected_app(self, name: str, **options: Any) -> dict[str, Any]:
        """Install a connected app (fixture helper); see auth.add_connected_app for ``options``."""
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            return auth.add_connected_app(txn, name, **options)

    def set_app_admin_approved(self, name: str, admin_approved: bool) -> None:
        """An admin's Edit Policies > Permitted Users on an installed app (ValueError: no such app)."""
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            app_id = app_policy.app_id_by_name(txn, name)
            if app_id is None:
                raise ValueError(f"no connected app named {name!r}")
            app_policy.set_admin_approved(txn, app_id, admin_approved)

    def is_app_preauthorized(self, app_id: str, user_id: str) -> bool:
        with self._read(Caller("", system=True)) as txn:
            return auth.is_app_preauthorized(txn, app_id, user_id)

    def record_login(self, user_id: str, status: str, application: str, **how: str) -> None:
        """A LoginHistory row (``how``: login_type, browser, api_type; see auth.record_login)."""
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            auth.record_login(txn, user_id, status, application, **how)

    def touch_token(self, user_id: str, app_name: str) -> None:
        with self._tx(Caller(self.admin_user_id, system=True)) as txn:
            auth.touch_token(txn, user_id, app_name)

    def session_app(self, token: str) -> str | None:
        """The connected app a live session was opened through (None: none, or no such session)."""
        with self._read(Caller("", system=True)) as txn:
            return auth.session_app(txn, token)
