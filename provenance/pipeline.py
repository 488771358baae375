"""The end-to-end pipeline: metadata + known-footage matches -> evidence -> estimate -> verdict."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .errors import InvalidArgumentError, ProvenanceError, UnsupportedMediaError
from .media.source import MediaFile, open_media
from .metadata.model import Metadata
from .report.model import MAX_MATCHES_SHOWN, MAX_THUMBNAILS, MatchFrames, Report, _spread
from .scoring.checks import cross_check
from .scoring.claim import Claim, check_claim
from .scoring.evidence import Evidence
from .scoring.fusion import fuse_place, fuse_time
from .scoring.observations import evidence_from_observation
from .scoring.sources import evidence_from_matches, evidence_from_metadata, metadata_findings

if TYPE_CHECKING:  # pragma: no cover
    from .index import FootageIndex
    from .scoring.shadow import ShadowObservation

__all__ = ["analyze"]

log = logging.getLogger(__name__)


def analyze(
    path: str | os.PathLike[str] | MediaFile,
    *,
    index: FootageIndex | str | os.PathLike[str] | None = None,
    claim: Claim | None = None,
    observations: Sequence[ShadowObservation] = (),
    progress: bool = False,
    ocr: bool | None = None,
) -> Report:
    """Analyse one video or still: when and where it was filmed, and whether a claim holds.

    Parameters
    ----------
    path
        The media file: a video, or a still image (JPEG, PNG, GIF, BMP, WebP, TIFF), or an
        open :class:`~provenance.media.MediaFile` (its budgets apply). The file is opened once
        and shared by every step.
    index : FootageIndex, str or os.PathLike, optional
        Known-footage index to search (an open index, or the location of one).
    claim : Claim, optional
        The claim to check.
    observations : sequence of ShadowObservation, optional
        Sun and shadow measurements made on the footage.
    progress : bool
        Show a progress bar (tqdm where installed).
    ocr : bool or None
        Read on-screen text (burned-in clocks, handles): ``None`` runs it when the ``ocr``
        extra is installed, ``False`` turns it off, ``True`` requires it (MissingExtraError
        when the extra is absent).

    Returns
    -------
    Report

    Raises
    ------
    MediaNotFoundError, UnsupportedMediaError
        When the file is missing or not media at all. Damaged metadata is not an error: it
        is listed in ``Report.problems``.
    CorruptMediaError, MediaTooLargeError
        When an index is given and the frames cannot be decoded within the budgets.

    Examples
    --------
    >>> import provenance
    >>> report = provenance.analyze("clip.mp4", index="known.db",
    ...                             claim=provenance.Claim(time=date(2020, 8, 16), place="Smolensk"))
    >>> report.verdict.status
    'contradicted'
    """
    with open_media(path) as media:
        return _analyze(media, index=index, claim=claim, observations=observations, progress=progress, ocr=ocr)


def _analyze(media: MediaFile, *, index: FootageIndex | str | os.PathLike[str] | None, claim: Claim | None,
             observations: Sequence[ShadowObservation], progress: bool, ocr: bool | None = None) -> Report:
    """:func:`analyze` over the call's open media object."""
    from .index import FootageIndex

    if claim is not None and not isinstance(claim, Claim):
        raise InvalidArgumentError(f"'claim' must be a provenance.Claim (got {type(claim).__name__})")
    steps = ["metadata"] + (["matching"] if index is not None else []) + ["scoring"]
    bar = _progress(len(steps), enabled=progress)
    problems: list[str] = []

    md = _metadata(media, problems)
    problems += [f"{p.code}: {p.message}" + (f" [{p.source}]" if p.source else "") for p in md.problems]
    bar.update(1)

    matches: list[Any] = []
    records: dict[str, Any] = {}
    keyframe_times: tuple[float, ...] = ()
    thumbnails: list[tuple[float, bytes]] = []
    pairs: list[MatchFrames] = []
    decoded_duration: float | None = None
    if index is not None:
        own = not isinstance(index, FootageIndex)
        # never creates or writes an index
        idx = index if isinstance(index, FootageIndex) else FootageIndex(index, mode="r")
        try:
            from .frames import select_frames
            from .hashing.fingerprinting import detail_plan, fingerprint_images

            # one decode: the same frames are hashed and shown
            try:
                n_detail, detail_side, _ = detail_plan(True)
                frames, borders, decoded_duration = select_frames(media, detail_count=n_detail,
                                                                  detail_side=detail_side)
            except UnsupportedMediaError as exc:
                if media.heif_brand is None:
                    raise
                frames = []
                problems.append(f"matching_skipped: {exc} (no match is not evidence)")
            if frames:
                fp = fingerprint_images([f[0] for f in frames], [f[1] for f in frames], borders=borders,
                                        variants=True, duration_s=decoded_duration, details=[f[3] for f in frames])
                keyframe_times = tuple(float(t) for t in fp.times_s)
                matches = list(idx.search(fp))
                records = {m.footage_id: idx.get(m.footage_id) for m in matches}
                thumbnails, pairs = _thumbnails(frames, matches, idx, problems)
            elif media.heif_brand is None:
                problems.append("no_frames: every decoded frame is black, flat or faded; "
                                "known-footage matching was not possible (no match is not evidence)")
        finally:
            if own:
                idx.close()
        bar.update(1)

    # the span of matches is measured against decoded timestamps, not a header's claim
    query_duration = decoded_duration if decoded_duration is not None else md.duration_s
    findings = metadata_findings(md)
    evidence: list[Evidence] = evidence_from_metadata(md, findings=findings)
    evidence += evidence_from_matches(matches, records, query_duration_s=query_duration)
    evidence, cross = cross_check(evidence)
    findings += cross
    if ocr is not False:  # on-screen text (extra 'ocr'): burned-in clocks and handles as evidence
        from .ocr.read import read_onscreen_optional
        from .scoring.onscreen import evidence_from_onscreen, onscreen_findings

        screen = read_onscreen_optional(media, required=ocr is True)
        if screen is not None:
            problems += list(screen.problems)
            evidence += evidence_from_onscreen(screen)
            findings += onscreen_findings(screen)
    for obs in observations:
        evidence += evidence_from_observation(obs, evidence)
    when = fuse_time(evidence)
    where = fuse_place(evidence)
    verdict = check_claim(claim, when, where, evidence)
    bar.update(1)
    bar.close()
    return Report(
        path=str(media.path), metadata=md, matches=tuple(matches), records=records, evidence=tuple(evidence),
        when=when, where=where, claim=claim, verdict=verdict, keyframe_times_s=keyframe_times,
        problems=tuple(problems), findings=tuple(findings), thumbnails=tuple(thumbnails),
        match_thumbnails=tuple(pairs),
    )


def _metadata(media: MediaFile, problems: list[str]) -> Metadata:
    """The file's metadata; a still image of a format without a metadata parser (PNG, GIF, BMP,
    WebP) gets empty metadata and a problem, as stills are analysed like any footage."""
    from .metadata import extract_metadata

    try:
        return extract_metadata(media)
    except UnsupportedMediaError:
        if not media.is_still:
            raise
    from .metadata._raw import RawResult
    from .metadata.normalize import normalize

    raw = RawResult(container=str(media.still_format))
    size = media.still_size()
    if size is not None:
        raw.width, raw.height = size
    raw.problem("no_metadata_parser", f"no metadata is read from {media.still_format} images", "metadata")
    return normalize(str(media.path), raw)


def _nearest(times: Sequence[float], t: float) -> int:
    return min(range(len(times)), key=lambda i: (abs(times[i] - t), times[i]))


def _thumbnails(frames: Sequence[tuple[float, Any, str, Any]], matches: Sequence[Any], idx: Any,
                problems: list[str]) -> tuple[list[tuple[float, bytes]], list[MatchFrames]]:
    """Keyframe strip and query/known frame pairs from the frames already decoded.

    The strip holds at most ``MAX_THUMBNAILS`` frames evenly spread over the clip (first and
    last included). For each shown match (``MAX_MATCHES_SHOWN``, one per footage item), the
    query frame nearest the middle of the matched query span is mapped to the reference time
    ``ref_start_s + (t_q - query_start_s) * speed`` and paired with the index's stored
    thumbnail nearest that time (``ref_time_s`` is that thumbnail's own time). As stored
    thumbnails are ~2 s apart, the query frame is then moved to the one that maps onto the
    thumbnail's time, if that frame is still inside the matched span, so both show the same
    moment. The known side is None when the index holds no thumbnails of that footage.
    Thumbnails are a convenience: an image that cannot be made is listed in ``problems``,
    never fatal.
    """
    from .media.thumbnails import make_thumbnail

    if not frames:
        return [], []
    times = [float(f[0]) for f in frames]
    cache: dict[int, bytes | None] = {}

    def jpeg(i: int) -> bytes | None:
        if i not in cache:
            try:
                cache[i] = make_thumbnail(frames[i][1])
            except Exception as exc:  # noqa: BLE001 - a missing image must not sink the analysis
                cache[i] = None
                problems.append(f"thumbnail: frame at {times[i]:.2f} s could not be encoded ({exc})")
        return cache[i]

    strip = []
    for i in _spread(len(frames), MAX_THUMBNAILS):
        data = jpeg(i)
        if data is not None:
            strip.append((times[i], data))
    pairs: list[MatchFrames] = []
    seen: set[str] = set()
    for m in matches:
        if m.footage_id in seen:  # the report shows one pair per footage item
            continue
        if len(seen) >= MAX_MATCHES_SHOWN:
            break
        seen.add(m.footage_id)
        i = _nearest(times, (float(m.query_start_s) + float(m.query_end_s)) / 2)
        t_q = times[i]
        t_ref = float(m.ref_start_s) + (t_q - float(m.query_start_s)) * float(m.speed)
        ref_jpeg = None
        try:
            hit = idx.nearest_thumbnail(m.footage_id, t_ref)
        except ProvenanceError as exc:
            hit = None
            problems.append(f"thumbnail: known frame of {m.footage_id!r} could not be read ({exc})")
        if hit is not None:
            t_ref, ref_jpeg = hit
            # thumbnails are ~2 s apart: show the query frame that maps onto the known one,
            # when it lies in the matched span, so both images show the same moment
            if float(m.speed) > 0:
                j = _nearest(times, float(m.query_start_s) + (t_ref - float(m.ref_start_s)) / float(m.speed))
                if float(m.query_start_s) - 1e-6 <= times[j] <= float(m.query_end_s) + 1e-6:
                    i, t_q = j, times[j]
        pairs.append(MatchFrames(m.footage_id, t_q, jpeg(i), t_ref, ref_jpeg))
    return strip, pairs


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
        log.info("progress=True but tqdm is not installed (pip install 'video-provenance[progress]')")
        return _NoBar()
    return tqdm(total=total, desc=desc)
