"""The record every quality check returns: one doubt about one translated segment."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QualityIssue:
    """A reason to doubt a translation.

    ``code`` is a short stable identifier ("number_mismatch", "wrong_script", ...); ``detail``
    names what was found (the number, the term, the detected language) and may be empty.
    ``severity`` in (0, 1] is how much the issue lowers the segment's quality score: the
    estimator multiplies ``1 - severity`` over all issues, so one issue of severity above 0.5 is
    enough to flag a segment at the default threshold.
    """

    code: str
    detail: str = ""
    severity: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 < self.severity <= 1.0:
            raise ValueError(f"severity must be in (0, 1], got {self.severity}")

    @property
    def reason(self) -> str:
        """The stable reason string stored in ``SegmentTranslation.flags``."""
        return f"{self.code}:{self.detail}" if self.detail else self.code
