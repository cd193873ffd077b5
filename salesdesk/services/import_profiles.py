"""Import profiles: the ``--map``, ``--encoding`` and ``--date-order`` of an import that
recurs (the monthly CRM export), kept as one small TOML file per name in the config dir.

    # <config dir>/import-profiles/crm.toml
    map = ["Handy=phone", "Rating=-"]
    encoding = "cp1252"
    date_order = "dmy"
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from salesdesk.errors import InvalidInput

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
FOLDER = "import-profiles"


@dataclass(frozen=True)
class Profile:
    maps: list[str] = field(default_factory=list)  # as typed after --map
    encoding: str | None = None
    date_order: str | None = None


def profile_path(config_dir: Path, name: str) -> Path:
    """Where profile ``name`` lives; a name that isn't one is refused before any import runs."""
    if not _NAME.match(name):
        raise InvalidInput(f"profile name {name!r}: use letters, digits, - _ or . (e.g. crm-monthly)")
    return config_dir / FOLDER / f"{name}.toml"


def load_profile(config_dir: Path, name: str) -> Profile:
    path = profile_path(config_dir, name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        saved = sorted(p.stem for p in (config_dir / FOLDER).glob("*.toml")) if (config_dir / FOLDER).is_dir() else []
        known = f"; saved profiles: {', '.join(saved)}" if saved else "; save one with --save-profile NAME"
        raise InvalidInput(f"no import profile {name!r}{known}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"{path}: not a readable profile ({exc}); delete it or save it again") from None
    maps = data.get("map", [])
    if not isinstance(maps, list) or not all(isinstance(m, str) for m in maps):
        raise InvalidInput(f"{path}: map must be a list of COLUMN=field strings")
    return Profile(maps, data.get("encoding"), data.get("date_order"))


def save_profile(config_dir: Path, name: str, profile: Profile) -> Path:
    path = profile_path(config_dir, name)
    # JSON strings are TOML basic strings (same quotes and escapes), so no TOML writer is needed.
    lines = [f"# salesdesk import profile {name!r}: used by import leads --profile {name}"]
    lines.append("map = [" + ", ".join(json.dumps(m, ensure_ascii=False) for m in profile.maps) + "]")
    if profile.encoding:
        lines.append(f"encoding = {json.dumps(profile.encoding)}")
    if profile.date_order:
        lines.append(f"date_order = {json.dumps(profile.date_order)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
