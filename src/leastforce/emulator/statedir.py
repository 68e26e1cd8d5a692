"""The state directory's files are the org's secrets (SQLite with sessions and password hashes, the TLS
keys, the demo admin's password): the directory is 0700 and every file 0600 whatever the umask, and no
file in it is followed through a symbolic link (a link planted there could point the server's key, or
its writes, at another file).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class StateFileError(ValueError):
    """A state file that is not a regular file of ours (a symbolic link, a directory, a FIFO)."""


def private_dir(path: Path) -> None:
    """Create ``path`` (and parents) if missing; make it 0700 (mkdir's mode is masked by the umask and
    an existing directory keeps whatever mode it had)."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)


def check_file(path: Path) -> bool:
    """Whether ``path`` exists; StateFileError when it exists as anything but a regular file. Existing
    files are made 0600 (a state written by an older version under a lax umask)."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise _refused(path) from exc
    try:
        if not os.path.samestat(os.fstat(fd), os.lstat(path)) or not _regular(fd):
            raise _refused(path)
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return True


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` 0600 from the first byte, never through a symbolic link."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, FILE_MODE)
    except OSError as exc:
        if os.path.islink(path):
            raise _refused(path) from exc
        raise
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), FILE_MODE)
        out.write(data)


def read_file(path: Path) -> bytes:
    """The bytes of a state file, never through a symbolic link."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except OSError as exc:
        if os.path.islink(path):
            raise _refused(path) from exc
        raise
    with os.fdopen(fd, "rb") as src:
        if not _regular(src.fileno()):
            raise _refused(path)
        return src.read()


def _regular(fd: int) -> bool:
    return stat.S_ISREG(os.fstat(fd).st_mode)


def _refused(path: Path) -> StateFileError:
    kind = "a symbolic link" if os.path.islink(path) else "not a regular file"
    return StateFileError(f"{path} is {kind}: the emulator refuses it (remove it, or use another --state)")
