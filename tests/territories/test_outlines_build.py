"""build_outlines' simplification: the shipped outlines stay light (parsed and drawn on the
browser's main thread) while every territory keeps a shape."""

import json

from territories import outlines
from territories.management.commands.build_outlines import closed, simplify


def test_simplify_drops_points_within_the_tolerance_and_keeps_corners():
    square = [(0, 0), (0.5, 0.001), (1, 0), (1, 1), (0.5, 1.002), (0, 1)]
    assert simplify(square, 0.005) == [(0, 0), (1, 0), (1, 1), (0, 1)]


def test_closed_rounds_merges_repeated_points_and_closes_the_ring():
    assert closed([(1.00001, 2.0), (1.00002, 2.0), (3.0, 4.0), (5.0, 2.0)]) == [
        [1.0, 2.0], [3.0, 4.0], [5.0, 2.0], [1.0, 2.0]]


def test_the_shipped_outlines_are_light_and_complete():
    data = json.loads(outlines.FILE.read_text(encoding="utf-8"))
    codes = {f["properties"]["code"] for f in data["features"]}
    assert len(outlines.FILE.read_bytes()) < 210_000
    assert set(outlines.OVERSEAS) <= codes and {"2A", "2B", "75", "60"} <= codes
    assert all(f["geometry"]["coordinates"] for f in data["features"])
    for code in outlines.OVERSEAS_DEPARTMENTS:
        assert outlines.bounds(code)
        assert outlines.inset_path(code, 0, 0, 40).startswith("M")
