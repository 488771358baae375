"""The end-to-end pipeline: metadata + known-footage matches -> evidence -> estimate -> verdict."""

from __future__ import annotations

import logging
import os
from typing import Any, Sequence

from .errors import InvalidArgumentError
from .media.probe import check_media_path
from .report import Report
from .scoring.checks import cross_check
from .scoring.claim import Claim, check_claim
from .scoring.evidence import Evidence
from .scoring.fusion import fuse_place, fuse_time
from .scoring.observations import evidence_from_observation
from .scoring.sources import evidence_from_matches, evidence_from_metadata, metadata_findings

__all__ = ["analyze"]

log = logging.getLogger(__name__)


def analyze(
    path: str | os.PathLike[str],
    *,
    index: Any = None,
    claim: Claim | None = None,
    observations: Sequence[Any] = (),
    progress: bool = False,
) -> Report:
    """Analyse one video or still: when and where it was filmed, and whether a claim holds.

    Parameters
    ----------
    path
        The media file.
    index : FootageIndex, str or os.PathLike, optional
        Known-footage index to search (an open index, or the location of one).
    claim : Claim, optional
        The claim to check.
    observations : sequence of ShadowObservation, optional
        Sun and shadow measurements made on the footage.
    progress : bool
        Show a progress bar (tqdm where installed).

    Returns
    -------
    Report

    Raises
    ------
    MediaNotFoundError, UnsupportedMediaError
        When the file is missing or not media at all. Damaged metadata is not an error: it
        is listed in ``Report.problems``.

    Examples
    --------
    >>> import provenance
    >>> report = provenance.analyze("clip.mp4", index="known.db",
    ...                             claim=provenance.Claim(time=date(2020, 8, 16), place="Smolensk"))
    >>> report.verdict.status
    'contradicted'
    """
    from .index import FootageIndex
    from .metadata import extract_metadata

    check_media_path(path)
    if claim is not None and not isinstance(claim, Claim):
        raise InvalidArgumentError(f"'claim' must be a provenance.Claim (got {type(claim).__name__})")
    steps = ["metadata"] + (["matching"] if index is not None else []) + ["scoring"]
    bar = _progress(len(steps), enabled=progress)
    problems: list[str] = []

    md = extract_metadata(path)
    problems += [f"{p.code}: {p.message}" + (f" [{p.source}]" if p.source else "") for p in md.problems]
    bar.update(1)

    matches: list[Any] = []
    records: dict[str, Any] = {}
    keyframe_times: tuple[float, ...] = ()
    if index is not None:
        own = not isinstance(index, FootageIndex)
        idx = FootageIndex(index) if own else index
        try:
            from .fingerprinting import fingerprint

            fp = fingerprint(path)
            keyframe_times = tuple(float(t) for t in fp.times_s)
            matches = list(idx.search(fp))
            records = {m.footage_id: idx.get(m.footage_id) for m in matches}
        finally:
            if own:
                idx.close()
        bar.update(1)

    findings = metadata_findings(md)
    evidence: list[Evidence] = evidence_from_metadata(md, findings=findings)
    evidence += evidence_from_matches(matches, records, query_duration_s=md.duration_s)
    evidence, cross = cross_check(evidence)
    findings += cross
    for obs in observations:
        evidence += evidence_from_observation(obs, evidence)
    when = fuse_time(evidence)
    where = fuse_place(evidence)
    verdict = check_claim(claim, when, where, evidence)
    bar.update(1)
    bar.close()
    return Report(
        path=str(path), metadata=md, matches=tuple(matches), records=records, evidence=tuple(evidence),
        when=when, where=where, claim=claim, verdict=verdict, keyframe_times_s=keyframe_times,
        problems=tuple(problems), findings=tuple(findings),
    )


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, *, enabled: bool, desc: str = "analyze"):
    """A tqdm bar (notebook widget where available) or a silent stand-in."""
    if not enabled:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:
        log.info("progress=True but tqdm is not installed (pip install 'provenance[progress]')")
        return _NoBar()
    return tqdm(total=total, desc=desc)
