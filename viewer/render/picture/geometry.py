"""Plane geometry in image pixels (x right, y down): boxes, segments and distances."""

from __future__ import annotations

import math

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def boxes_overlap(a: Box, b: Box, tol: float = 0.0) -> bool:
    return a[0] < b[2] - tol and b[0] < a[2] - tol and a[1] < b[3] - tol and b[1] < a[3] - tol


def boxes_near(a: Box, b: Box, gap: float = 0.0) -> bool:
    """Whether ``a`` and ``b`` overlap or come closer than ``gap``."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def shifted(box: Box | None, dy: float) -> Box | None:
    """``box`` moved up by ``dy``."""
    return None if box is None else (box[0], box[1] - dy, box[2], box[3] - dy)


def segments_cross(p1, p2, q1, q2) -> bool:
    def orient(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = orient(q1, q2, p1), orient(q1, q2, p2)
    d3, d4 = orient(p1, p2, q1), orient(p1, p2, q2)
    return (d1 * d2 < 0) and (d3 * d4 < 0)


def point_segment_distance(c, p, q) -> float:
    (cx, cy), (px, py), (qx, qy) = c, p, q
    dx, dy = qx - px, qy - py
    den = dx * dx + dy * dy
    t = 0.0 if den == 0 else max(0.0, min(1.0, ((cx - px) * dx + (cy - py) * dy) / den))
    return math.hypot(cx - (px + t * dx), cy - (py + t * dy))


def y_span_in_band(p, q, x0, x1):
    """The y-range of segment p-q over the x-band [x0, x1], or None if it does not cross it."""
    (px, py), (qx, qy) = p, q
    lo, hi = max(min(px, qx), x0), min(max(px, qx), x1)
    if lo > hi:
        return None
    if abs(qx - px) < 1e-9:
        return (min(py, qy), max(py, qy))
    ys = [py + (qy - py) * (x - px) / (qx - px) for x in (lo, hi)]
    return (min(ys), max(ys))
