"""What a figure was measured on: commit, machine, load and library versions.

Every benchmark report carries one :class:`MachineInfo`, taken when the run starts (and the load
average again when it ends), so that a figure is never read without the conditions behind it.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

_PACKAGES = ("warta", "ctranslate2", "torch", "transformers", "sentencepiece", "sqlalchemy")


@dataclass(frozen=True, slots=True)
class MachineInfo:
    commit: str  # "abc123…" or "abc123… (dirty)"; "unknown" outside a git checkout
    cpu_model: str
    cores: int
    memory_gib: float
    load_average: tuple[float, float, float]
    python: str
    platform: str
    versions: dict[str, str] = field(default_factory=dict)
    started_at: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def summary(self) -> str:
        load = ", ".join(f"{v:.2f}" for v in self.load_average)
        return (
            f"{self.cpu_model}, {self.cores} cores, {self.memory_gib:.1f} GiB; "
            f"load average at start {load}; commit {self.commit}"
        )


def describe_machine(*, repo: Path | None = None) -> MachineInfo:
    """Collect the facts about this machine and checkout (cheap: no benchmark runs here)."""
    return MachineInfo(
        commit=git_commit(repo or Path.cwd()),
        cpu_model=cpu_model(),
        cores=os.cpu_count() or 1,
        memory_gib=round(memory_bytes() / 2**30, 1),
        load_average=load_average(),
        python=platform.python_version(),
        platform=platform.platform(),
        versions=package_versions(),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def load_average() -> tuple[float, float, float]:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:  # pragma: no cover -- not on Linux
        return (0.0, 0.0, 0.0)
    return (round(one, 2), round(five, 2), round(fifteen, 2))


_NOT_RESULTS = ":(exclude)bench/results"  # where bench/run-full.sh writes while it runs


def git_commit(repo: Path) -> str:
    """HEAD (marked dirty if tracked files changed, other than the benchmark's own results, which
    a run rewrites). ``WARTA_BENCH_COMMIT`` wins when set: a copy of the tree sent to another
    machine (a lent GPU) may carry no ``.git``, or a stale one."""
    copied = os.environ.get("WARTA_BENCH_COMMIT", "").strip()
    if copied:
        return f"{copied} (copied tree)"
    git = shutil.which("git")
    if git is None:
        return "unknown"
    try:
        head = subprocess.run(  # noqa: S603 -- fixed argv, no shell
            [git, "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603
            [git, "status", "--porcelain", "--untracked-files=no", "--", ".", _NOT_RESULTS],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} (dirty)" if dirty else head


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:  # pragma: no cover -- not on Linux
        pass
    return platform.processor() or "unknown"


def memory_bytes() -> int:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover -- not on Linux
        pass
    return 0


def package_versions() -> dict[str, str]:
    versions: dict[str, str] = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def rss_bytes(pid: int | str = "self") -> int:
    """Resident memory (VmRSS) of a process, from /proc/<pid>/status; 0 if unreadable."""
    return _status_field(pid, "VmRSS:")


def peak_rss_bytes(pid: int | str = "self") -> int:
    """Peak resident memory (VmHWM) of a process; 0 if unreadable."""
    return _status_field(pid, "VmHWM:")


def _status_field(pid: int | str, name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
            if line.startswith(name):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return 0
    return 0
