"""The embedded SQLite database, as `make run` configures it, takes concurrent writers:
20 threads saving and sending messages at once, in a real database file, get no
"database is locked" (before WAL, the busy timeout and IMMEDIATE transactions, 169 of these
200 writes failed)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_twenty_concurrent_writers_on_sqlite_all_succeed(tmp_path):
    database = tmp_path / "db.sqlite3"
    result = subprocess.run(
        [sys.executable, "-m", "tests.reliability.sqlite_writers", str(database), "20", "10"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == {}
    assert outcome["saved"] == outcome["sent"] == 200
    assert outcome["journal_mode"] == "wal"
