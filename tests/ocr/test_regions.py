"""Persistent text regions from detector boxes (pure)."""

from __future__ import annotations

from provenance.ocr.regions import merge_line_boxes, persistent_boxes, region_names


def test_date_and_time_boxes_on_one_line_are_joined():
    assert merge_line_boxes([(10, 10, 80, 30), (88, 11, 150, 30)]) == [(10, 10, 150, 30)]
    # far apart on one line, or on two lines: kept apart
    assert len(merge_line_boxes([(10, 10, 80, 30), (300, 10, 360, 30)])) == 2
    assert len(merge_line_boxes([(10, 10, 80, 30), (10, 40, 80, 60)])) == 2


def test_only_boxes_that_recur_persist():
    clock = [(10, 10, 150, 30), (12, 10, 148, 31), (10, 9, 152, 30)]  # digits change width
    scene = [(300, 200, 360, 220), (120, 250, 170, 270), (400, 60, 470, 80)]
    found = persistent_boxes([[c, s] for c, s in zip(clock, scene)])
    assert [share for _, share in found] == [1.0]
    assert found[0][0] == (10, 9, 152, 31)


def test_a_single_frame_keeps_every_box():
    assert len(persistent_boxes([[(0, 0, 10, 5), (50, 50, 90, 60)]])) == 2
    assert persistent_boxes([]) == []


def test_region_names():
    names = region_names([(5, 5, 100, 20), (540, 330, 630, 350), (280, 5, 360, 20), (10, 30, 100, 45)], 640, 360)
    assert names == ["top-left", "bottom-right", "top", "top-left-2"]


class _FakeEngine:
    """Stands in for the detector on the enlarged crop: two stacked lines."""

    def __init__(self, rows):
        self.rows, self.calls = rows, []

    def detect(self, image):
        from provenance.ocr.engine import DetectedBox

        self.calls.append(image.shape)
        return [DetectedBox(*r, 0.9) for r in self.rows(image.shape)]


def test_stacked_lines_are_split_on_the_enlarged_crop():
    import numpy as np

    from provenance.ocr.read import _split_lines

    img = np.zeros((360, 640, 3), np.uint8)
    # the crop is the box widened by one height above and below, enlarged: report two rows
    # (the box is the middle third of the crop; the missed line is in the lower third)
    eng = _FakeEngine(lambda s: [(4, s[0] // 3 + 5, s[1] - 4, 2 * s[0] // 3 - 5), (4, 2 * s[0] // 3 + 5, s[1] // 2, s[0] - 5)])
    lines = _split_lines(eng, img, (10, 40, 210, 80))
    assert len(lines) == 2 and lines[0][1] < lines[1][1] and lines[1][3] > 80
    one = _FakeEngine(lambda s: [(4, 10, s[1] - 4, s[0] - 10)])
    assert _split_lines(one, img, (10, 40, 210, 80)) == [(10, 40, 210, 80)]
    assert _split_lines(one, img, (10, 40, 210, 45)) == [(10, 40, 210, 45)]  # too thin to hold two lines
