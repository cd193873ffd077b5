"""Where salesdesk keeps its files.

- data dir: platformdirs' user data dir, or ``$SALESDESK_HOME``;
- config dir: platformdirs' user config dir, or ``$SALESDESK_HOME``;
- database: ``<data dir>/salesdesk.db``, or ``$SALESDESK_DB``;
- demo database: ``<data dir>/demo.db`` (never the user's own data).

Nothing here creates a directory at import time; callers ask with ``ensure_private_dir``.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

APP_NAME = "salesdesk"


def _home() -> Path | None:
    home = os.environ.get("SALESDESK_HOME")
    return Path(home).expanduser() if home else None


def data_dir() -> Path:
    home = _home()
    if home is not None:
        return home
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    home = _home()
    if home is not None:
        return home
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def config_path() -> Path:
    return config_dir() / "config.toml"


def db_path() -> Path:
    override = os.environ.get("SALESDESK_DB")
    if override:
        return Path(override).expanduser()
    return data_dir() / "salesdesk.db"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only, if missing."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError:
        # A file stands where the directory should be; "File exists" would not say so.
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path)) from None
    return path


def touch_private(path: Path) -> None:
    """Create ``path`` as an empty owner-only (0600) file if it does not exist.

    Customer data is personal data: the file gets its mode at creation, so there is no
    window in which another user could open it. An existing file is never opened: closing
    any descriptor on a database file drops every SQLite lock this process holds on it
    (POSIX record locks are per process), which lets other writers corrupt it.
    """
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path)) from None
        return
    os.close(fd)
