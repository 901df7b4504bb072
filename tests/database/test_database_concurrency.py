"""Handlers write the SQLite file from their own connections and threads while streamlab fires
the aggregation: WAL mode and busy timeouts keep every write."""

from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta

from database_support import SCRIPTS, epoch, utc

from sim.database import Database

START = utc("2026-11-02T09:00:00Z")


def test_handler_threads_and_fires_share_the_file(tmp_path):
    with Database.open(None, directory=tmp_path, name="openaq") as db:
        db.initialize(SCRIPTS)
        assert db.query("PRAGMA journal_mode")[0]["journal_mode"] == "wal"
        errors: list[BaseException] = []

        def handler(worker: int) -> None:
            try:  # a Lambda handler: plain sqlite3 on the URL's path, default 5 s timeout
                connection = sqlite3.connect(db.url.removeprefix("sqlite:///"))
                for i in range(150):
                    moment = START + timedelta(seconds=worker * 1000 + i)
                    with connection:
                        connection.execute(
                            "INSERT INTO measurements (location, city, country, parameter, "
                            "value, unit, date_utc, date_local) VALUES "
                            "('l', 'Gent', 'BE', 'no2', ?, 'µg/m³', ?, 'x')",
                            (float(i), moment.strftime("%Y-%m-%d %H:%M:%S")),
                        )
                connection.close()
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=handler, args=(w,)) for w in range(3)]
        for thread in threads:
            thread.start()
        [event] = db.events
        for k in range(20):
            db.fire(event, epoch(START) + 3600 + 300 * (k % 4))
        for thread in threads:
            thread.join()
        assert errors == []
        assert db.query("SELECT COUNT(*) AS n FROM measurements") == [{"n": 450}]
        db.fire(event, epoch(START) + 3 * 3600)
        [row] = db.query(
            "SELECT measurements, min_value, max_value FROM aggregates "
            "WHERE window_end = '2026-11-02 12:00:00'"
        )
        assert row == {"measurements": 450, "min_value": 0.0, "max_value": 149.0}
