"""The command line: a click group whose commands live one per module in ``leastforce.commands``.

Only this layer reads flags and environment, turns errors into messages, and picks exit codes:
0 ok, 1 check failed, 2 bad input, 3 org or connection error.
"""

from __future__ import annotations

import gc
import importlib
import os
import pkgutil
import sys

import click

from leastforce import __version__
from leastforce.errors import LeastforceError
from leastforce.render.json import error_envelope, write_json
from leastforce.values import secrets
from leastforce.values.visible import visible_lines


def _command_modules() -> dict[str, str]:
    """Command name -> module, found in leastforce.commands (one module per command)."""
    import leastforce.commands as pkg

    found = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        if not info.name.startswith("_"):
            found[info.name.replace("_", "-")] = f"{pkg.__name__}.{info.name}"
    return found


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (fast start, nothing at import time)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_command_modules())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = _command_modules().get(cmd_name)
        if module is None:
            return None
        return importlib.import_module(module).command  # type: ignore[no-any-return]


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="leastforce")
def group() -> None:
    """Least-privilege Salesforce integration users from a manifest."""
    tune_garbage_collector()


# A command builds millions of long-lived objects (an org's permission rows) and keeps them to the end:
# with the default thresholds (700, 10, 10) the collector rescans that heap again and again while it
# grows, a third of an org-wide audit's time. Rarer collections; reference counting still frees the rest.
# https://docs.python.org/3/library/gc.html#gc.set_threshold (figures: docs/benchmarks.md)
GC_THRESHOLDS = (100_000, 50, 1_000)


def tune_garbage_collector() -> None:
    """Once per process (the CLI's, not a library caller's): see GC_THRESHOLDS."""
    gc.set_threshold(*GC_THRESHOLDS)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the group and maps every error to a message and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args
    secrets.register(*(os.environ.get(name) for name in _SECRET_VARIABLES))
    result: object = 0
    try:
        # standalone_mode=False: click returns ctx.exit(code)'s code instead of exiting
        result = group.main(args=args, prog_name="leastforce", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as exc:
        if as_json:
            write_json(error_envelope("UsageError", exc.format_message(), 2))
        else:
            exc.show()
        sys.exit(2)
    except LeastforceError as exc:
        _report(exc, type(exc).__name__, str(exc), exc.exit_code, as_json)
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as exc:
        if exc.filename is None:  # not about a file the user named: an internal error
            _internal(exc, as_json)
        # an output file in a missing directory, a read-only place, a full disk: bad input, exit 2
        message = f"cannot use {exc.filename}: {exc.strerror or type(exc).__name__}"
        _report(exc, "InputError", message, 2, as_json)
    except Exception as exc:  # the last line of defence: never a traceback for the user
        _internal(exc, as_json)
    sys.exit(result if isinstance(result, int) else 0)


def _internal(exc: Exception, as_json: bool) -> None:
    """A bug: one line for the user (exit 1), the traceback only with LEASTFORCE_DEBUG=1."""
    if os.environ.get("LEASTFORCE_DEBUG"):
        raise exc
    message = f"internal error ({type(exc).__name__}); set LEASTFORCE_DEBUG=1 for details"
    _report(exc, "InternalError", message, 1, as_json)


_SECRET_VARIABLES = ("SF_ACCESS_TOKEN", "SF_CLIENT_SECRET", "SF_PASSWORD", "SF_SECURITY_TOKEN")


def redact(text: str) -> str:
    """The text with every registered credential (values/secrets.py: the environment's, and what org/
    obtained from the sf CLI, token endpoints and key files) replaced by [REDACTED], in raw, URL-encoded
    and base64 forms: an org or a library may echo one back in an error, and error messages end up in CI
    logs and support tickets."""
    secrets.register(*(os.environ.get(name) for name in _SECRET_VARIABLES))
    return secrets.redact(text)


def _report(exc: BaseException, name: str, message: str, code: int, as_json: bool) -> None:
    message = redact(message)  # write_json redacts every string of the envelope, data too
    if as_json:
        write_json(error_envelope(name, message, code, data=getattr(exc, "error_code", "") or None))
    else:
        # an error message quotes org and manifest text: shown visibly, never as terminal commands
        click.echo(f"leastforce: {visible_lines(message)}", err=True)
        hint = visible_lines(redact(str(getattr(exc, "hint", "") or "")))
        if hint and hint not in message:
            click.echo(f"hint: {hint}", err=True)
    sys.exit(code)
