"""warta as an operator runs it, against servers the test can break, and what came out of it.

:class:`Rig` runs the ``warta`` CLI in subprocesses (``WARTA_HOME``, ``WARTA_DATABASE_URL``
through the :class:`~tests.faults.servers.PostgresProxy`, ``WARTA_BROKER_URL`` at the test's own
Redis): set-up commands to completion, then two ``warta celery worker --concurrency 1``, one
``warta celery dispatch`` and one ``warta webhooks deliver --watch`` until the test ends. It reads
the database directly (not through the proxy), so it can watch while the proxy refuses.

:class:`Tally` is what a scenario checks afterwards: every submitted article's current revision
has its five editions exactly once, every job is done, and every webhook event in the outbox was
delivered to the receiver exactly once.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy
from tests.faults.servers import Receiver, children_of, kill_group
from tests.paths import DEMO_ARTICLES, ROOT

from warta.config import Settings
from warta.languages import TARGET_LANGS

SITE = "fault"
FAULTS_JSON = ROOT / "artifacts" / "faults.json"
ANNOUNCING = {"edition.translated", "edition.updated", "edition.flagged"}

# Fast settings: short leases (a dead worker's jobs come back in seconds), small batches (a kill
# lands in the middle of one), greedy decoding of short outputs on one thread per process.
FAST_ENV = {
    "WARTA_JOB_LEASE_SECONDS": "6",
    "WARTA_JOBS_PER_BATCH": "2",
    "WARTA_JOB_MAX_ATTEMPTS": "3",
    "WARTA_BEAM_SIZE": "1",
    "WARTA_MAX_DECODING_LENGTH": "24",
    "WARTA_BATCH_TOKENS": "512",
    "WARTA_INTER_THREADS": "1",
    "WARTA_INTRA_THREADS": "1",
    "WARTA_DEFAULT_SITE": SITE,
}
# Settings other work may add; passed only when this version of warta has the field.
OPTIONAL_ENV = {
    "job_retry_base_seconds": "1",
    "job_backoff_seconds": "1",
    "job_heartbeat_seconds": "2",
    "webhook_retry_base_seconds": "1",
    "webhook_lease_seconds": "10",
    "log_format": "console",
}


# `warta A...`, `warta B...` in one interpreter: the CLI's own entry point, exit status kept.
RUN_COMMANDS = """
import json, sys
from warta.cli import main
for args in json.loads(sys.argv[1]):
    try:
        main(args)
    except SystemExit as exc:
        if exc.code:
            raise
"""


def warta_command() -> list[str]:
    script = Path(sys.executable).parent / "warta"
    return [str(script)] if script.exists() else [sys.executable, "-m", "warta"]


@dataclass(frozen=True)
class Tally:
    """What the database and the receiver hold after a run."""

    scenario: str
    submitted: int
    editions: int  # (current revision, language) pairs with one translated/needs_review edition
    duplicates: int  # translations or announcements made twice for one (revision, language)
    lost: int  # (current revision, language) pairs with no finished edition
    jobs: dict[str, int]  # status -> count
    charged: int  # jobs charged an attempt (an error; a lost lease is not one)
    lost_leases: int
    events: int  # outbox rows
    announcements: int  # edition.translated/updated/flagged events
    delivered: int  # outbox event ids the receiver got at least once
    duplicate_deliveries: int  # sum over event ids of (deliveries - 1)
    unannounced: int  # done jobs whose events were never written (announced_at NULL, 0006)
    undelivered: int  # outbox event ids the receiver never got
    unknown_deliveries: int  # deliveries of ids not in the outbox
    details: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"fault {self.scenario}: submitted {self.submitted}, editions {self.editions}, "
            f"duplicates {self.duplicates}, lost {self.lost}, "
            f"events delivered {self.delivered}, duplicate deliveries {self.duplicate_deliveries}"
        )

    def problems(self, *, expected_articles: int) -> list[str]:
        """Every way this run fell short of "all five editions once, every event once"."""
        found = []
        if self.submitted != expected_articles:
            found.append(f"{self.submitted} articles stored, {expected_articles} submitted")
        if self.editions != self.submitted * len(TARGET_LANGS) or self.lost:
            found.append(f"{self.editions} editions, {self.lost} lost")
        if self.duplicates:
            found.append(f"{self.duplicates} duplicates: {self.details.get('duplicate_keys')}")
        if set(self.jobs) != {"done"}:
            found.append(f"jobs not all done: {self.jobs}")
        if self.charged:
            found.append(f"{self.charged} jobs charged an attempt: {self.details.get('errors')}")
        if self.unannounced:
            found.append(f"{self.unannounced} done jobs never announced (announced_at NULL)")
        if self.announcements != self.editions:
            found.append(f"{self.announcements} announcement events for {self.editions} editions")
        if self.undelivered or self.duplicate_deliveries or self.unknown_deliveries:
            found.append(
                f"deliveries: {self.undelivered} never, {self.duplicate_deliveries} twice or "
                f"more, {self.unknown_deliveries} of unknown events"
            )
        return found


class Rig:
    def __init__(
        self,
        *,
        home: Path,
        database_url: str,
        direct_url: str,
        broker_url: str,
        receiver: Receiver,
        model: Path,
        summary: list[str] | None = None,
    ) -> None:
        self.home = home
        self.summary = summary if summary is not None else []  # one line per scenario run
        self.logs = home / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.receiver = receiver
        self.model = model
        fields = Settings.model_fields
        optional = {f"WARTA_{k.upper()}": v for k, v in OPTIONAL_ENV.items() if k in fields}
        base = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
        self.env = {
            **base,
            **FAST_ENV,
            **optional,
            "WARTA_HOME": str(home),
            "WARTA_DATABASE_URL": database_url,
            "WARTA_BROKER_URL": broker_url,
            "PYTHONUNBUFFERED": "1",
        }
        self.db = sqlalchemy.create_engine(direct_url, poolclass=sqlalchemy.NullPool)
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.killed: set[str] = set()
        self.events: list[str] = []  # what the test did, with times since start
        self._t0 = time.monotonic()

    # --- commands --------------------------------------------------------------------------------

    def cli(self, *commands: list[str], timeout: float = 180) -> str:
        """Run ``warta`` commands, one after another, in one process (one start-up, not one each:
        the machine has two cores); stops at the first that fails."""
        done = subprocess.run(
            [sys.executable, "-c", RUN_COMMANDS, json.dumps(commands)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"warta {commands} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        return done.stdout

    def set_up(self) -> None:
        """The site, the tiny model for all five languages, and a webhook at the receiver."""
        langs = ",".join(lang.value for lang in TARGET_LANGS)
        self.cli(
            ["sites", "create", SITE, "--name", "Fault tolerance"],
            ["models", "add", str(self.model), "--target", langs, "--name", "tiny-random"],
            ["webhooks", "add", self.receiver.url, "--site", SITE],
        )
        self.note("site, model and webhook set up")

    def spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(
                [*warta_command(), *args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed as a tree
            )
        self.procs[name] = proc
        self.note(f"started {name} (pid {proc.pid})")
        return proc

    def start_worker(self, name: str) -> None:
        self.spawn(name, "celery", "worker", "--concurrency", "1", "--loglevel", "info")

    def start_fleet(self) -> None:
        self.start_worker("worker-1")
        self.start_worker("worker-2")
        self.spawn("dispatch", "celery", "dispatch", "--poll", "0.5")
        self.spawn("deliver", "webhooks", "deliver", "--watch", "0.5", "--allow-private-networks")

    def submit(self, count: int) -> list[str]:
        """Ingest the first ``count`` shipped IndoSum demo articles; returns their ids."""
        lines = DEMO_ARTICLES.read_text(encoding="utf-8").splitlines()[:count]
        batch = self.home / "articles.jsonl"
        batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.cli(["ingest", str(batch), "--site", SITE])
        self.note(f"submitted {count} articles")
        return [json.loads(line)["id"] for line in lines]

    def stop_all(self) -> None:
        for proc in self.procs.values():
            kill_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                kill_group(proc, signal.SIGKILL)
                proc.wait(timeout=10)
        self.db.dispose()

    def kill_tree(self, name: str) -> list[int]:
        """SIGKILL the process ``name`` and all its descendants at once (a machine dying)."""
        proc = self.procs[name]
        tree = [proc.pid, *children_of(proc.pid)]
        kill_group(proc, signal.SIGKILL)
        proc.wait(timeout=10)
        self.killed.add(name)
        self.note(f"SIGKILL {name}: pids {tree}")
        return tree

    def note(self, what: str) -> None:
        self.events.append(f"{time.monotonic() - self._t0:6.1f}s {what}")

    def log_tail(self, name: str, *, lines: int = 40) -> str:
        path = self.logs / f"{name}.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def all_logs(self, *, lines: int = 25) -> str:
        return "\n".join(
            f"--- {name} (exit {proc.poll()}) ---\n{self.log_tail(name, lines=lines)}"
            for name, proc in self.procs.items()
        )

    def crashed(self) -> list[str]:
        """Processes that exited on their own (not killed by the test)."""
        return [
            f"{name} exited {proc.returncode}"
            for name, proc in self.procs.items()
            if name not in self.killed and proc.poll() is not None
        ]

    # --- the database, read directly ------------------------------------------------------------

    def rows(self, sql: str, **params: object) -> list[sqlalchemy.Row[Any]]:
        with self.db.connect() as conn:
            return list(conn.execute(sqlalchemy.text(sql), params))

    def job_counts(self) -> dict[str, int]:
        return {r.status: r.n for r in self.rows("SELECT status, count(*) n FROM jobs GROUP BY 1")}

    def running_jobs(self) -> list[sqlalchemy.Row[Any]]:
        return self.rows("SELECT id, lang, leased_by FROM jobs WHERE status = 'running'")

    def finished_editions(self) -> int:
        return int(
            self.rows(
                "SELECT count(*) n FROM editions WHERE status IN ('translated', 'needs_review')"
            )[0].n
        )

    def wait_for(
        self,
        condition: Callable[[], bool],
        *,
        guard: float,
        what: str,
        left: Callable[[], str] | None = None,
        stall: float | None = None,
    ) -> bool:
        """Poll ``condition`` until true or ``guard`` seconds pass (a guard, not a deadline).

        ``left`` says what is still missing; with ``stall``, waiting also ends once what is left
        stayed the same for that many seconds while a process had exited on its own (nothing
        will change it). A crash is noted when first seen.
        """
        deadline = time.monotonic() + guard
        last, since, seen = "", time.monotonic(), set[str]()
        while time.monotonic() < deadline:
            if condition():
                self.note(what)
                return True
            for crash in self.crashed():
                if crash not in seen:
                    seen.add(crash)
                    self.note(f"while waiting for {what}: {crash}")
            if stall is None and seen:
                return False
            if stall is not None and left is not None:
                now = left()
                if now != last:
                    last, since = now, time.monotonic()
                elif seen and time.monotonic() - since > stall:
                    self.note(f"stopped waiting for {what}: no change for {stall:.0f} s: {now}")
                    return False
            time.sleep(0.2)
        missing = f": {left()}" if left is not None else ""
        self.note(f"gave up waiting for {what} after {guard:.0f} s{missing}")
        return False

    def unsettled(self, *, expected_jobs: int) -> str:
        """What is left to do ("" when every job ended and every event was announced and sent)."""
        counts = self.job_counts()
        if sum(counts.values()) < expected_jobs or counts.get("queued") or counts.get("running"):
            return f"jobs {counts}, {sum(self.receiver.snapshot().values())} deliveries"
        if self._announcer_in_use() and (
            left := self.rows(
                "SELECT count(*) n FROM jobs WHERE status = 'done' AND announced_at IS NULL"
            )[0].n
        ):
            return f"{left} done jobs not announced"
        if pending := self.rows("SELECT count(*) n FROM webhook_events WHERE status = 'pending'")[
            0
        ].n:
            return f"{pending} events pending"
        received = self.receiver.snapshot()
        delivered = self.rows("SELECT event_id FROM webhook_events WHERE status = 'delivered'")
        if unseen := sum(1 for r in delivered if not received[r.event_id]):
            return f"{unseen} events marked delivered but not received"
        return ""

    def _announcer_in_use(self) -> bool:
        """Jobs carry announced_at (0006) and something sets it (the outbox announcer)."""
        return self._has_column("jobs", "announced_at") and bool(
            self.rows("SELECT 1 FROM jobs WHERE announced_at IS NOT NULL LIMIT 1")
        )

    def _has_column(self, table: str, column: str) -> bool:
        return column in {c["name"] for c in sqlalchemy.inspect(self.db).get_columns(table)}

    def tally(self, scenario: str, *, submitted: list[str]) -> Tally:
        articles = self.rows(
            "SELECT a.external_id, r.id revision_id FROM articles a "
            "JOIN sites s ON s.id = a.site_id "
            "JOIN revisions r ON r.article_id = a.id AND r.number = a.current_revision "
            "WHERE s.slug = :site",
            site=SITE,
        )
        current = {r.revision_id: r.external_id for r in articles}
        editions = Counter(
            (r.revision_id, r.lang)
            for r in self.rows(
                "SELECT revision_id, lang FROM editions "
                "WHERE status IN ('translated', 'needs_review')"
            )
            if r.revision_id in current
        )
        done_jobs = Counter(
            (r.revision_id, r.lang)
            for r in self.rows("SELECT revision_id, lang FROM jobs WHERE status = 'done'")
        )
        wanted = {(rev, lang.value) for rev in current for lang in TARGET_LANGS}
        jobs = self.rows("SELECT id, status, attempts, lost_leases, last_error FROM jobs")
        events = self.rows("SELECT event_id, event, body FROM webhook_events")
        by_edition: Counter[tuple[str, int, str, str]] = Counter()
        for event in events:
            data = json.loads(event.body)["data"]
            key = (
                data["article"]["external_id"],
                int(data["article"]["revision"]),
                str(data["edition"]["lang"]),
                "announce" if event.event in ANNOUNCING else event.event,
            )
            by_edition[key] += 1
        received = self.receiver.snapshot()
        outbox_ids = {e.event_id for e in events}
        duplicate_keys = [
            *(f"edition {k} x{n}" for k, n in editions.items() if n > 1),
            *(f"done job {k} x{n}" for k, n in done_jobs.items() if n > 1),
            *(f"event {k} x{n}" for k, n in by_edition.items() if n > 1),
        ]
        return Tally(
            scenario=scenario,
            submitted=len(current),
            editions=len(wanted & set(editions)),
            duplicates=sum(n - 1 for c in (editions, done_jobs, by_edition) for n in c.values()),
            lost=len(wanted - set(editions)),
            jobs=dict(Counter(r.status for r in jobs)),
            charged=sum(1 for r in jobs if r.attempts > 0),
            lost_leases=sum(r.lost_leases for r in jobs),
            events=len(events),
            announcements=sum(1 for e in events if e.event in ANNOUNCING),
            delivered=sum(1 for i in outbox_ids if received[i]),
            duplicate_deliveries=sum(n - 1 for n in received.values() if n > 1),
            unannounced=(
                self.rows(
                    "SELECT count(*) n FROM jobs WHERE status = 'done' AND announced_at IS NULL"
                )[0].n
                if self._announcer_in_use()
                else 0
            ),
            undelivered=sum(1 for i in outbox_ids if not received[i]),
            unknown_deliveries=sum(n for i, n in received.items() if i not in outbox_ids),
            details={
                "duplicate_keys": duplicate_keys[:10],
                "missing_ids": sorted(set(submitted) - set(current.values()))[:10],
                "max_attempts": max((r.attempts for r in jobs), default=0),
                "errors": sorted({r.last_error[:200] for r in jobs if r.attempts > 0})[:5],
                "lost_leases_by_job": {r.id: r.lost_leases for r in jobs if r.lost_leases},
                # warta's own delivery log against what the receiver counted
                "logged_attempts": self.rows("SELECT count(*) n FROM webhook_deliveries")[0].n,
                "received": sum(received.values()),
                "timeline": self.events,
            },
        )


def record(tally: Tally, *, problems: list[str], seconds: float) -> None:
    """Append the run to artifacts/faults.json (a JSON list; the file is not tracked)."""
    FAULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
    runs: list[Any] = []
    if FAULTS_JSON.exists():
        try:
            runs = json.loads(FAULTS_JSON.read_text(encoding="utf-8"))
        except ValueError:
            runs = []
    commit = ""
    if git := shutil.which("git"):
        done = subprocess.run(
            [git, "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=False,
        )
        commit = done.stdout.strip()
    runs.append(
        {
            **asdict(tally),
            "ok": not problems,
            "problems": problems,
            "seconds": round(seconds, 1),
            "commit": commit,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    )
    FAULTS_JSON.write_text(json.dumps(runs, indent=2) + "\n", encoding="utf-8")
