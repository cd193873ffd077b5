"""Hot commands (issue 13), before and after: whole-process wall time and peak RSS on the 50k
book of run.py (``run.py`` has the targets; this compares with an older checkout).

    python bench/hot.py [--repeat 9] [--before DIR] [--sqlite-utils PATH]

``--before DIR``: a checkout of salesdesk's package from before (``git archive <commit>
salesdesk | tar -x -C DIR``), run as ``python -P -m salesdesk`` with PYTHONPATH=DIR in the same
environment, beside this checkout run the same way (``-P``: the working directory's checkout
must not shadow DIR). It reads its own copy of the book without the index migrations the older
checkout does not know (their indexes dropped), which it would refuse as too new.
``--sqlite-utils``: its command, to time ``sqlite-utils insert`` of one row as the peer named
in the issue. Runs by hand, never in tests.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run

SCRATCH = run.DATA / "hot.db"
BEFORE = run.DATA / "hot-before.db"


def scratch(before: Path | None) -> None:
    """A copy of the book per run set, so writes don't drift the book the others read; and one
    for the older checkout ``before``, as it was before the migrations it does not know (index
    migrations only: one that changes a table makes the two incomparable)."""
    import re
    import sqlite3

    from salesdesk.migrations import MIGRATIONS

    for db in (SCRATCH, BEFORE):
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(run.DB, db)
    if before is None:
        return
    known = set(re.findall(r'Migration\("(\w+)"', (before / "salesdesk" / "migrations.py").read_text()))
    conn = sqlite3.connect(BEFORE)
    for migration in (m for m in MIGRATIONS if m.name not in known):
        for statement in migration.statements:
            index = re.match(r"CREATE INDEX (\w+) ON", statement)
            if index is None:
                raise SystemExit(f"{before} predates {migration.name}, which changes tables: not comparable")
            conn.execute(f"DROP INDEX IF EXISTS {index.group(1)}")
        conn.execute("DELETE FROM salesdesk_migration WHERE name = ?", (migration.name,))
    conn.commit()
    conn.close()


def timed(
    argv: list[str], repeat: int, extra_env: dict[str, str] | None = None, db: Path = SCRATCH
) -> tuple[float, float]:
    return run.measure(argv, repeat, db=db, extra_env=extra_env)


COMMANDS = {
    "log-call (one call)": ["log-call", "12345", "--outcome", "no_answer"],
    "log-call --objection --reply": ["log-call", "12345", "-o", "connected", "--benefit", "x", "--objection",
                                     "no_time", "--reply", "1"],
    "log-touch": ["log-touch", "12345", "--channel", "email", "--benefit", "price list"],
    "lead add": ["lead", "add", "Bench Person", "--source", "event"],
    "lead show 12345": ["lead", "show", "12345"],
    "lead list --search wong": ["lead", "list", "--search", "wong"],
    "status": ["status"],
    "due --limit 20": ["due", "--limit", "20"],
    "why 12345": ["why", "12345"],
}  # fmt: skip
COMPLETION = {"_SALESDESK_COMPLETE": "complete_bash", "COMP_WORDS": "salesdesk log-call wan", "COMP_CWORD": "2"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--before", type=Path)
    parser.add_argument("--sqlite-utils", dest="sqlite_utils")
    args = parser.parse_args()
    run.build(False)
    scratch(args.before)
    python = sys.executable
    fast_floor, fast_peak = timed([python, "-c", "import sqlite3, typer, dateutil.parser"], args.repeat)
    orm_floor, orm_peak = timed([python, "-c", "import sqlmodel, typer"], args.repeat)
    print("| what | before | after | after / fast floor | peak RSS after |\n|---|---|---|---|---|")
    print(f"| floor: import sqlite3, typer, dateutil.parser | | {fast_floor:.3f} s | 1.00x | {fast_peak:.0f} MiB |")
    print(
        f"| floor: import sqlmodel, typer | | {orm_floor:.3f} s | {orm_floor / fast_floor:.2f}x | {orm_peak:.0f} MiB |"
    )
    rows = [*COMMANDS.items(), ("completion of lead names (bash)", None)]
    for name, argv in rows:
        extra = COMPLETION if argv is None else {}
        argv = argv or []
        before = ""
        if args.before is not None:
            seconds, _ = timed(
                [python, "-P", "-m", "salesdesk", *argv], args.repeat, {**extra, "PYTHONPATH": str(args.before)}, BEFORE
            )
            before = f"{seconds:.3f} s"
        seconds, peak = timed([python, "-P", "-m", "salesdesk", *argv], args.repeat, extra)
        print(f"| {name} | {before} | {seconds:.3f} s | {seconds / fast_floor:.2f}x | {peak:.0f} MiB |")
    if args.sqlite_utils:
        row = '{"lead_id": 1, "at": "2026-11-23 07:00:00.000000", "channel": "call", "recorded_at": "x"}'
        seconds, peak = run.measure(
            [args.sqlite_utils, "insert", str(SCRATCH), "touch", "-"], args.repeat, stdin=row.encode(), db=SCRATCH
        )
        print(
            f"| peer: sqlite-utils insert (one row) | | {seconds:.3f} s | {seconds / fast_floor:.2f}x "
            f"| {peak:.0f} MiB |"
        )
    for db in (SCRATCH, BEFORE):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
