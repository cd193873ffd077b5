"""Benchmarks: whole-process wall time and peak memory of salesdesk's hot paths, each next
to a floor measured in the same run, on a generated book of realistic size.

    python bench/run.py                    # build bench/data/bench.db once, then measure
    python bench/run.py --rebuild          # lay the data out afresh
    python bench/run.py --repeat 7         # more runs per figure (the median is reported)

The data is the demo generator's, at 50,000 leads and a year of activity, laid out for a
fixed "now" so every run measures the same thing. Floors: `python -c "import sqlmodel,
typer"` for commands (what any Python CLI on this stack pays before doing anything), and
the sqlite3 command-line tool doing the same aggregate for reports. Figures are printed,
never asserted: tests don't time things; people read these.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
DB = DATA / "bench.db"
TZ = "Asia/Shanghai"
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=ZoneInfo(TZ))
SALESDESK = Path(sys.executable).parent / "salesdesk"
BUILD_CACHE_KIB = 512 * 1024  # SQLite's page cache while the book is laid out


# Peak RSS allowed for a hot command (issue 13).
HOT_RSS_MIB = 40


@dataclass
class Figure:
    name: str
    seconds: float
    peak_mib: float
    floor_name: str = ""
    floor_seconds: float = 0.0
    target: float | None = None  # the allowed ratio to the floor
    rss_max: float | None = None  # MiB, for hot commands
    beat: tuple[str, float] | None = None  # a peer it must be faster than: (name, seconds)

    def line(self) -> str:
        ratio = self.seconds / self.floor_seconds if self.floor_seconds else None
        missed = []
        if ratio is not None and self.target is not None and ratio > self.target:
            missed.append(f"target {self.target}x")
        if self.rss_max is not None and self.peak_mib >= self.rss_max:
            missed.append(f"RSS < {self.rss_max:.0f} MiB")
        if self.beat is not None and self.seconds >= self.beat[1]:
            missed.append(f"slower than {self.beat[0]}")
        verdict = f"MISSED ({'; '.join(missed)})" if missed else ("ok" if self.target or self.rss_max else "")
        shown = f"{ratio:.2f}x {self.floor_name}" if ratio is not None else ""
        return f"| {self.name} | {self.seconds:.3f} s | {self.peak_mib:.0f} MiB | {shown} | {verdict} |"


def env(db: Path = DB) -> dict[str, str]:
    # Byte-code as an installed copy has it (pip compiles at install time): a development
    # environment with PYTHONDONTWRITEBYTECODE would recompile salesdesk on every command.
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **inherited,
        "TZ": TZ,
        "SALESDESK_DB": str(db),
        "SALESDESK_HOME": str(DATA / "home"),
        "SALESDESK_NOW": NOW.isoformat(),
    }


def measure(
    argv: list[str],
    repeat: int,
    stdin: bytes | None = None,
    setup: Callable[[], None] | None = None,
    db: Path = DB,
    extra_env: dict[str, str] | None = None,
) -> tuple[float, float]:
    """Median wall time and peak RSS (MiB) of ``argv`` as its own process."""
    times, peaks = [], []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            env={**env(db), **(extra_env or {})},
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        if stdin is not None:
            proc.stdin.write(stdin)  # type: ignore[union-attr]
        proc.stdin.close()  # type: ignore[union-attr]
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)  # Linux reports KiB
        err = proc.stderr.read().decode()  # type: ignore[union-attr]
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err}")
    return statistics.median(times), max(peaks)


def build(rebuild: bool, db: Path = DB) -> None:
    """Lay out the book, in a child process: a big parent would inflate every child's peak
    RSS, since Linux counts the pages a child inherits at fork."""
    if db.exists() and not rebuild:
        return
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    # The year is written in one transaction. SQLite's default page cache (2 MiB) spills
    # modified pages to the WAL again and again as the 180 MB book grows (a 5.7-minute build,
    # 90 s of it in the kernel); a cache that holds the book writes each page once.
    script = f"""
import time
from datetime import datetime
from sqlalchemy import event
from salesdesk.db import open_store
from salesdesk.demo import generate
started = time.perf_counter()
now = datetime.fromisoformat({NOW.isoformat()!r})
engine = open_store({str(db)!r}, now)
engine.dispose()
event.listen(engine, "connect", lambda conn, record: conn.execute("PRAGMA cache_size = -{BUILD_CACHE_KIB}"))
generate(engine, now, leads=50_000, days=365)
with engine.connect() as conn:
    counts = {{t: conn.exec_driver_sql(f"SELECT count(*) FROM {{t}}").scalar() for t in ("lead", "touch", "followup")}}
engine.dispose()
print(f"built {db} in {{time.perf_counter() - started:.0f}} s: {{counts}}")
"""
    subprocess.run([sys.executable, "-c", script], env=env(db), check=True)


SCRATCH = DATA / "scratch.db"


def fresh_scratch() -> None:
    """A copy of the book to write into, so bulk runs don't change what the others measure."""
    for suffix in ("-wal", "-shm"):
        Path(f"{SCRATCH}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(DB, SCRATCH)


def bulk_files() -> tuple[Path, Path, Path, Path]:
    """100,000 calls as JSONL and as the equivalent SQL inserts; 50,000 new leads as CSV and as SQL.

    The SQL files are the floor: sqlite3 inserting the same rows, in one transaction, with the
    same triggers firing. (salesdesk also writes the follow-ups its rules open: not in the floor.)
    """
    import csv
    import json
    import random

    calls_jsonl, calls_sql = DATA / "calls.jsonl", DATA / "calls.sql"
    leads_csv, leads_sql = DATA / "leads.csv", DATA / "leads.sql"
    if calls_jsonl.exists() and leads_csv.exists():
        return calls_jsonl, calls_sql, leads_csv, leads_sql
    rng = random.Random(11)
    # A dialer calls leads still being worked: one who asked not to be called would refuse the batch.
    conn = sqlite3.connect(DB)
    callable_ids = [
        lead_id for (lead_id,) in conn.execute("SELECT id FROM lead WHERE status != 'do_not_contact' AND id < 49998")
    ]
    conn.close()
    outcomes = ["no_answer"] * 5 + ["busy", "voicemail", "connected", "connected", "meeting_booked"]
    with calls_jsonl.open("w") as jsonl, calls_sql.open("w") as sql:
        sql.write("BEGIN IMMEDIATE;\n")
        for i in range(100_000):
            # The book's last three leads arrive today (fresh inbound): a call before that is refused.
            lead, outcome = rng.choice(callable_ids), rng.choice(outcomes)
            at = f"2026-11-23T{9 + i % 6:02d}:{i % 60:02d}:00+08:00"
            line = {"lead": lead, "outcome": outcome, "at": at}
            if outcome == "meeting_booked":
                line["meeting"] = "2026-11-27T10:00:00+08:00"
            if outcome in ("connected", "meeting_booked"):
                line["benefit"] = "case study"
            jsonl.write(json.dumps(line) + "\n")
            connected, meeting = int(outcome in ("connected", "meeting_booked")), int(outcome == "meeting_booked")
            stamp = f"2026-11-23 {1 + i % 6:02d}:{i % 60:02d}:00.000000"
            sql.write(
                "INSERT INTO touch (lead_id, at, channel, outcome, connected, meeting, benefit, recorded_at) "
                f"VALUES ({lead}, '{stamp}', 'call', '{outcome}', {connected}, {meeting}, "
                f"{'NULL' if not connected else repr('case study')}, '{stamp}');\n"
            )
        sql.write("COMMIT;\n")
    with leads_csv.open("w", newline="", encoding="utf-8") as handle, leads_sql.open("w") as sql:
        writer = csv.writer(handle)
        writer.writerow(["姓名", "公司", "电话", "email", "source", "grade"])
        sql.write("BEGIN IMMEDIATE;\n")
        for i in range(50_000):
            name, phone, email = f"Bulk Lead {i}", f"+8619{i:09d}", f"bulk{i}@example.org"
            writer.writerow([name, f"Bulk Co {i % 500}", phone, email, "event", "C"])
            sql.write(
                "INSERT INTO lead (name, name_key, phone, email, source, grade, status, is_coach, created_at, "
                f"updated_at) VALUES ('{name}', '{name.lower()}', '{phone}', '{email}', 'event', 'C', 'new', 0, "
                "'2026-11-23 07:00:00.000000', '2026-11-23 07:00:00.000000');\n"
            )
        sql.write("COMMIT;\n")
    return calls_jsonl, calls_sql, leads_csv, leads_sql


def bulk_figures(repeat: int) -> list[Figure]:
    calls_jsonl, calls_sql, leads_csv, leads_sql = bulk_files()
    figures = []
    for name, argv, sql in (
        ("batch: log-call --from 100,000 calls", ["log-call", "--from", str(calls_jsonl)], calls_sql),
        ("import leads: 50,000-row CSV", ["import", "leads", str(leads_csv)], leads_sql),
    ):
        seconds, peak = measure([str(SALESDESK), *argv], repeat, setup=fresh_scratch, db=SCRATCH)
        floor, _ = measure(["sqlite3", str(SCRATCH), f".read {sql}"], repeat, setup=fresh_scratch, db=SCRATCH)
        figures.append(Figure(name, seconds, peak, "sqlite3 inserting the same rows", floor, 5.0))
    SCRATCH.unlink(missing_ok=True)
    return figures


def sqlite_floor(sql: str, repeat: int) -> float:
    return measure(["sqlite3", str(DB), sql], repeat)[0]


def tui_first_screen() -> tuple[float, float]:
    """Seconds from process start to the Today screen showing its figures, headless."""
    script = f"""
import time, sys
started = time.perf_counter()
import asyncio
from salesdesk.config import Config
from salesdesk.dates import clock_now
from salesdesk.db import open_store
from salesdesk.tui.app import SalesdeskApp
async def main():
    now = clock_now()
    app = SalesdeskApp(open_store({str(DB)!r}, now), Config(), lambda: now)
    async with app.run_test(size=(120, 40)) as pilot:
        while not app.screen.is_mounted or any(w.is_running for w in app.workers):
            await pilot.pause(0.01)
        await pilot.pause()
    print(time.perf_counter() - started)
asyncio.run(main())
"""
    proc = subprocess.run([sys.executable, "-c", script], env=env(), capture_output=True, text=True, check=True)
    return float(proc.stdout.strip().splitlines()[-1]), 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--commands-only", action="store_true", help="Skip the bulk runs and the TUI.")
    args = parser.parse_args()
    build(args.rebuild)
    repeat = args.repeat
    load_before = os.getloadavg()[0]
    import compileall

    import salesdesk

    compileall.compile_dir(Path(salesdesk.__file__).parent, quiet=1)

    import_floor, import_peak = measure([sys.executable, "-c", "import sqlmodel, typer"], repeat)
    # The floor of a command that never imports SQLAlchemy: what a Typer CLI over sqlite3
    # that reads dates pays before doing anything (issue 13).
    fast_floor, fast_peak = measure([sys.executable, "-c", "import sqlite3, typer, dateutil.parser"], repeat)
    figures = [
        Figure("floor: python -c 'import sqlmodel, typer'", import_floor, import_peak),
        Figure("floor: python -c 'import sqlite3, typer, dateutil.parser' (fast floor)", fast_floor, fast_peak),
    ]
    peer = None
    if shutil.which("sqlite-utils"):
        # The peer named in issue 13: another tool's CLI writing one row into a copy of the book.
        stamp = "2026-11-23 07:00:00.000000"
        row = f'{{"lead_id": 1, "at": "{stamp}", "channel": "call", "recorded_at": "{stamp}"}}'.encode()
        argv = ["sqlite-utils", "insert", str(SCRATCH), "touch", "-"]
        seconds, peak = measure(argv, repeat, stdin=row, setup=fresh_scratch, db=SCRATCH)
        figures.append(Figure("peer: sqlite-utils insert of one row", seconds, peak, "fast floor", fast_floor))
        peer = ("sqlite-utils insert", seconds)

    def command(name: str, argv: list[str], target: float) -> None:
        seconds, peak = measure([str(SALESDESK), *argv], repeat)
        figures.append(Figure(name, seconds, peak, "import floor", import_floor, target))

    def hot(
        name: str, argv: list[str], target: float | None, write: bool = False, extra_env: dict[str, str] | None = None
    ) -> None:
        seconds, peak = measure([str(SALESDESK), *argv], repeat, extra_env=extra_env)
        figures.append(
            Figure(name, seconds, peak, "fast floor", fast_floor, target, HOT_RSS_MIB, peer if write else None)
        )

    # Single writes: each run adds one call (or lead) to the book, a negligible change at this size.
    hot("log-call (one call)", ["log-call", "12345", "--outcome", "no_answer"], 2.0, write=True)
    hot("log-touch", ["log-touch", "12346", "--channel", "email", "--benefit", "price list"], 2.0, write=True)
    hot("lead add", ["lead", "add", "Bench Person", "--source", "event"], 2.0, write=True)
    hot("lead show 12345", ["lead", "show", "12345"], 2.0)
    hot("lead list --search wong", ["lead", "list", "--search", "wong"], 2.5)
    hot("due --limit 20", ["due", "--limit", "20"], 2.5)
    hot("status", ["status"], 2.5)
    # why: one lead's rules and its place in the whole queue. The issue puts it on the hot path
    # (no heavy imports, held by RSS) but sets it no ratio.
    hot("why 12345", ["why", "12345"], None)
    completion = {"_SALESDESK_COMPLETE": "complete_bash", "COMP_WORDS": "salesdesk log-call wan", "COMP_CWORD": "2"}
    hot("completion of lead names (bash, log-call wan<Tab>)", [], 2.5, extra_env=completion)
    # Reports: 1.5x the ORM floor, or 3x the fast floor where they moved to the hot path.
    hot("due --limit 50", ["due", "--limit", "50"], 3.0)
    hot("rules check", ["rules", "check"], 3.0)
    # What the ORM reports load before their first query: the import floor plus salesdesk's
    # table classes and report modules. Against 1.5x, it leaves the queries what is over it.
    modules = (
        "salesdesk.cli, salesdesk.db, salesdesk.services.pdca, salesdesk.services.reports, salesdesk.services.exports"
    )
    seconds, peak = measure([sys.executable, "-c", f"import {modules}"], repeat)
    figures.append(Figure("floor: the ORM reports' imports", seconds, peak, "import floor", import_floor))
    command("summary 2026-11-20", ["summary", "2026-11-20"], 1.5)
    command("export week 2026-W47", ["export", "week", "2026-W47", "-o", str(DATA / "week.md")], 1.5)
    day = (
        "SELECT count(*), sum(connected), sum(meeting) FROM touch WHERE channel = 'call' AND at >= '{}' AND at < '{}';"
    )
    figures.append(
        Figure(
            "floor: sqlite3 one day's counts",
            sqlite_floor(day.format("2026-11-19 16:00", "2026-11-20 16:00"), repeat),
            0,
        )
    )
    week = " ".join(day.format(f"2026-11-{d:02d} 16:00", f"2026-11-{d + 1:02d} 16:00") for d in range(15, 22))
    figures.append(Figure("floor: sqlite3 seven days' counts", sqlite_floor(week, repeat), 0))

    due_floor = sqlite_floor(
        "SELECT id FROM lead WHERE status IN ('new','working','meeting','deal') AND (first_touch_at IS NULL OR "
        "julianday(coalesce(last_touch_at, created_at)) + 14 <= julianday('now')) LIMIT 50;",
        repeat,
    )
    figures.append(Figure("floor: sqlite3 due-like scan", due_floor, 0.0))

    if not args.commands_only:
        figures.extend(bulk_figures(max(1, repeat // 2)))
        try:
            seconds, _ = tui_first_screen()
            figures.append(Figure("TUI first screen (headless)", seconds, 0.0))
        except subprocess.CalledProcessError as exc:  # the table is still worth printing
            figures.append(Figure(f"TUI first screen: failed ({exc.stderr.strip().splitlines()[-1]})", 0.0, 0.0))

    print(f"\n{platform.node()} · {platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}")
    load = f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    print(f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · median of {repeat} runs · {load}\n")
    print("| what | wall | peak RSS | vs floor | target |\n|---|---|---|---|---|")
    for figure in figures:
        print(figure.line())


if __name__ == "__main__":
    if shutil.which("sqlite3") is None:
        raise SystemExit("the sqlite3 command-line tool is needed for the floors (apt-get install sqlite3)")
    main()
