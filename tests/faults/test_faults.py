"""Faults in the middle of a run lose nothing and double nothing (issue 16).

Real PostgreSQL (through a proxy the test owns), a real Redis of the test's own, two
``warta celery worker`` processes, ``warta celery dispatch`` and ``warta webhooks deliver --watch``,
the shipped IndoSum articles and a tiny real CTranslate2 model for all five languages. In the
middle of the run one of three things happens: a worker is SIGKILLed, Redis is killed and started
again, or PostgreSQL refuses connections for 20 s. Afterwards every article has its five editions
exactly once, every job is done (a lost lease is not an attempt), and every webhook event reached
the receiver exactly once. Each scenario prints its counts and appends them to
artifacts/faults.json.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.faults.rig import Rig, Tally, record
from tests.faults.servers import PostgresProxy, RedisServer, children_of

from warta.languages import TARGET_LANGS

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ARTICLES = 12
STARTED_EDITIONS = 6  # the fault comes once this many editions are stored (models loaded, mid-run)
GUARD_SECONDS = 150  # a guard against hanging, not a timed assertion
STALL_SECONDS = 30  # after a process crashed: stop waiting once nothing changed for this long


def run_scenario(rig: Rig, name: str, fault: Callable[[], str]) -> Tally:
    """Submit, start the processes, break something mid-run, wait until settled, count."""
    started = time.monotonic()
    submitted = rig.submit(ARTICLES)  # the newsroom's backlog; the processes start on it
    rig.start_fleet()
    expected_jobs = ARTICLES * len(TARGET_LANGS)
    assert rig.wait_for(
        lambda: rig.finished_editions() >= STARTED_EDITIONS,
        guard=GUARD_SECONDS,
        what=f"{STARTED_EDITIONS} editions stored",
    ), rig.all_logs()
    rig.note(fault())
    rig.wait_for(
        lambda: not rig.unsettled(expected_jobs=expected_jobs),
        guard=GUARD_SECONDS,
        what="every job done and every event delivered",
        left=lambda: rig.unsettled(expected_jobs=expected_jobs),
        stall=STALL_SECONDS,
    )
    tally = rig.tally(name, submitted=submitted)
    problems = tally.problems(expected_articles=ARTICLES)
    crashed = rig.crashed()
    if crashed:
        problems.append(f"processes exited on their own: {crashed}")
    record(tally, problems=problems, seconds=time.monotonic() - started)
    print(f"\n{tally.line()}\n" + "\n".join(rig.events))  # noqa: T201 -- the run's counts (-s)
    rig.summary.append(tally.line() + (f" [FAILED: {'; '.join(problems)}]" if problems else ""))
    assert not problems, "\n".join([*problems, *rig.events, rig.all_logs()])
    return tally


def test_a_worker_killed_in_the_middle_of_a_batch_loses_and_doubles_nothing(rig: Rig):
    orphaned: list[int] = []

    def kill_a_worker() -> str:
        # A running job is a claimed batch; the worker holding it dies with its whole process
        # tree (the Celery main process and its prefork child) at once, as when a machine dies.
        # Should its batch be recorded in the instant between the look and the kill, the next
        # worker holding one is killed (at most three kills).
        said = []
        leases: list[str] = []

        def batch_in_hand() -> bool:
            leases[:] = [r.leased_by or "" for r in rig.running_jobs()]
            return bool(leases)

        for _ in range(3):
            assert rig.wait_for(batch_in_hand, guard=GUARD_SECONDS, what="a job running")
            victim = _holder(rig, leases)
            pids = {str(pid) for pid in rig.kill_tree(victim)}
            orphaned[:] = [  # the jobs its lease still holds: the batch it died with
                r.id for r in rig.running_jobs() if (r.leased_by or "").rsplit(":", 1)[-1] in pids
            ]
            said.append(
                f"killed {victim} (pids {sorted(pids)}) holding running jobs {orphaned} "
                f"with {rig.finished_editions()} editions stored"
            )
            time.sleep(2)
            rig.start_worker(f"{victim}-restarted")  # its supervisor starts it again
            if orphaned:
                break
        return "; ".join(said)

    tally = run_scenario(rig, "worker-sigkill", kill_a_worker)
    assert orphaned, "no kill landed while the worker held a batch"
    assert tally.lost_leases >= len(orphaned), "the dead worker's jobs were not taken over"


def test_redis_killed_and_restarted_mid_run_loses_and_doubles_nothing(
    rig: Rig, redis_server: RedisServer
):
    def restart_redis() -> str:
        redis_server.kill()
        rig.note(f"redis SIGKILLed ({rig.finished_editions()} editions stored)")
        time.sleep(4)
        redis_server.start()
        return f"redis killed (SIGKILL) and started again on port {redis_server.port} after 4 s"

    run_scenario(rig, "redis-restart", restart_redis)


def test_postgresql_refusing_connections_for_20_s_loses_and_doubles_nothing(
    rig: Rig, pg_proxy: PostgresProxy
):
    def refuse_postgres() -> str:
        reopened = pg_proxy.refuse(20)
        rig.note(f"postgres refuses connections ({rig.finished_editions()} editions stored)")
        reopened.join()
        return f"postgres refused connections for 20 s ({pg_proxy.dropped} connections dropped)"

    run_scenario(rig, "postgres-outage", refuse_postgres)


def _holder(rig: Rig, leases: list[str]) -> str:
    """The live worker holding running jobs.

    A lease name ends in the pid of the process that claimed (``celery@host:PID``); a name that
    names no process of a worker (older versions: ``celery@host`` for every worker) falls back
    to the worker whose processes used the most CPU in the last half second (it is translating).
    """
    workers = {n: p for n, p in rig.procs.items() if n.startswith("worker") and p.poll() is None}
    for name, proc in workers.items():
        pids = {str(pid) for pid in (proc.pid, *children_of(proc.pid))}
        if any(lease.rsplit(":", 1)[-1] in pids for lease in leases):
            return name
    before = {n: _cpu(p.pid) for n, p in workers.items()}
    time.sleep(0.5)
    return max(workers, key=lambda n: _cpu(workers[n].pid) - before[n])


def _cpu(pid: int) -> int:
    total = 0
    for each in [pid, *children_of(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total
