"""How `salesdesk import leads` scales: wall time and peak memory for a big export-shaped
CSV into an empty store, next to sqlite3 inserting the same rows (the floor).

    python bench/import_rows.py                 # 1,000,000 rows
    python bench/import_rows.py --rows 200000

The file is HubSpot-shaped (first + last name, two phone columns, a picklist, a date), so
the figure includes format detection, the picklist/date survey pass, name joining, phone
choice and duplicate checks. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SALESDESK = Path(sys.executable).parent / "salesdesk"
HEADER = ["First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "Company Name", "Job Title",
          "Original Source", "Create Date"]  # fmt: skip


def write_files(folder: Path, rows: int) -> tuple[Path, Path]:
    csv_path, sql_path = folder / "contacts.csv", folder / "contacts.sql"
    with csv_path.open("w", newline="", encoding="utf-8") as handle, sql_path.open("w") as sql:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        sql.write("BEGIN IMMEDIATE;\n")
        for i in range(rows):
            first, last, mobile = f"First{i}", f"Last{i}", f"+8613{i:09d}"
            created = f"2026-{1 + i % 9:02d}-15 09:30"
            writer.writerow([first, last, f"p{i}@example.org", f"+86 21 {i % 10**8:08d}", mobile,
                             f"Company {i % 5000}", "Buyer", "Organic Search", created])  # fmt: skip
            sql.write(
                "INSERT INTO lead (name, name_key, phone, email, source, status, is_coach, notes, created_at, "
                f"updated_at) VALUES ('{first} {last}', '{first.lower()} {last.lower()}', '{mobile}', "
                f"'p{i}@example.org', 'inbound', 'new', 0, 'Phone Number: +86 21 {i % 10**8:08d}', "
                f"'2026-0{1 + i % 9}-15 01:30:00.000000', '2026-11-23 07:00:00.000000');\n"
            )
        sql.write("COMMIT;\n")
    return csv_path, sql_path


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and the child's peak RSS in MiB (ru_maxrss of the waited-for process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{argv[:3]} failed: {proc.stderr.strip()}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        env = {**os.environ, "SALESDESK_HOME": str(home), "SALESDESK_NOW": "2026-11-23T15:00:00+08:00",
               "TZ": "Asia/Shanghai"}  # fmt: skip
        csv_path, sql_path = write_files(home, rows)
        subprocess.run([str(SALESDESK), "lead", "list"], env=env, capture_output=True, check=True)  # migrate
        db = home / "salesdesk.db"
        empty = db.read_bytes()
        seconds, peak = measure([str(SALESDESK), "import", "leads", str(csv_path)], env)
        db.write_bytes(empty)
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        floor, _ = measure(["sqlite3", str(db), f".read {sql_path}"], env)
    print(f"| import leads: {rows:,}-row HubSpot CSV | {seconds:.1f} s | {peak:.0f} MiB | "
          f"{seconds / floor:.2f}x sqlite3 inserting the same rows ({floor:.1f} s) |")  # fmt: skip


if __name__ == "__main__":
    main()
