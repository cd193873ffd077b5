"""Fixtures shared by every test: no test ever touches a real user's data or clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from sqlalchemy import Engine

from salesdesk.config import Config
from salesdesk.db import open_store
from salesdesk.demo import generate

TZ_NAME = "Asia/Shanghai"
# Monday 23 Nov 2026, 15:00 in Shanghai: a working afternoon, the fixed "now" of the suite.
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=ZoneInfo(TZ_NAME))

# CI runs the same examples every time: a red build is reproducible and a green one is not luck.
# No deadline (a loaded runner is slow, not wrong) and no example database (each run is fresh).
# Loaded here, before any test module builds its own settings on top of the default profile.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=100, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "long: a test of many seconds (mypy); run first, beside the others")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # pytest-xdist hands tests out in collection order: a long one handed out last would leave
    # one core working alone at the end, so the long ones go first (a stable sort keeps the rest).
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point salesdesk's data, config and clock at the test, never at the user's."""
    home = tmp_path / "home"
    monkeypatch.setenv("SALESDESK_HOME", str(home))
    monkeypatch.delenv("SALESDESK_DB", raising=False)
    monkeypatch.delenv("SALESDESK_NOW", raising=False)
    monkeypatch.setenv("TZ", TZ_NAME)
    # The seed library's language follows the locale ([me] language): English, unless a test asks.
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    return home


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def config() -> Config:
    return Config()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database file."""
    engine = open_store(tmp_path / "test.db", NOW)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated database holding the deterministic demo data laid out for NOW."""
    engine = open_store(tmp_path / "demo.db", NOW)
    generate(engine, NOW)
    yield engine
    engine.dispose()
