"""Shell completion callbacks (``salesdesk --install-completion``): what a Tab offers for
leads, outcomes, channels, objection keys and block ids.

A completion runs the whole program on every Tab, so these read the store with ``sqlite3``
alone (``connect.open_current``) and never migrate, create or warn: a store that isn't
ready, or a config with an error, just completes nothing; the command itself will say why.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import typer

from salesdesk.errors import SalesdeskError

Items = list[tuple[str, str]]


def _from_store(ctx: typer.Context, read: Callable[[sqlite3.Connection, str], Items], typed: str) -> Items:
    from salesdesk import paths
    from salesdesk.connect import NotCurrent, open_current

    demo = bool(ctx.find_root().params.get("demo"))
    try:
        conn = open_current(paths.demo_db_path() if demo else paths.db_path())
    except (NotCurrent, SalesdeskError):
        return []
    try:
        return read(conn, typed)
    except sqlite3.Error:  # locked past the timeout, damaged: a Tab must not print a traceback
        return []
    finally:
        conn.close()


def _config():
    from salesdesk.config import load_config
    from salesdesk.paths import config_path

    try:
        return load_config(config_path())
    except SalesdeskError:
        return None


def lead(ctx: typer.Context, incomplete: str) -> Items:
    from salesdesk.completions import leads

    return _from_store(ctx, leads, incomplete)


def objection(ctx: typer.Context, incomplete: str) -> Items:
    from salesdesk.completions import objection_keys

    return _from_store(ctx, objection_keys, incomplete)


def block(ctx: typer.Context, incomplete: str) -> Items:
    from salesdesk.completions import block_ids

    return _from_store(ctx, block_ids, incomplete)


def outcome(incomplete: str) -> Items:
    config = _config()
    found = config.outcomes.values() if config is not None else ()
    return [(o.name, o.label) for o in found if o.name.startswith(incomplete.lower())]


def channel(incomplete: str) -> Items:
    config = _config()
    found = config.channels if config is not None else ()
    return [(c, "") for c in found if c != "call" and c.startswith(incomplete.lower())]
