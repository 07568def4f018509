"""Coarse images (1/4 scale) of where things show in the picture, and what a straight line
drawn over them meets: the selected zone, the body, a lesson step's arrows, each zone."""

from __future__ import annotations

import math

import numpy as np


def mask_of(points_xy: np.ndarray, size, px_per_unit: float, unit: float, cell: int = 4):
    """A coarse (1/``cell`` scale) boolean image of where the given surface points show."""
    W, H = size
    mask = np.zeros((H // cell + 2, W // cell + 2), bool)
    if len(points_xy) == 0:
        return Mask(mask, cell)
    ix = np.clip((points_xy[:, 0] / cell).astype(int), 0, mask.shape[1] - 1)
    iy = np.clip((points_xy[:, 1] / cell).astype(int), 0, mask.shape[0] - 1)
    mask[iy, ix] = True
    # close the gaps between cell centres (about 1 cm apart on the skin)
    reach = max(1, int(math.ceil(0.008 / unit * px_per_unit / cell)))
    grown = mask.copy()
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            if dx * dx + dy * dy <= reach * reach:
                grown |= np.roll(np.roll(mask, dy, 0), dx, 1)
    return Mask(grown, cell)


class Mask:
    """A coarse boolean image, ``cell`` pixels a square."""

    def __init__(self, data: np.ndarray, cell: int):
        self.data, self.cell = data, cell

    def hit(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        ix = np.clip((x / self.cell).astype(int), 0, self.data.shape[1] - 1)
        iy = np.clip((y / self.cell).astype(int), 0, self.data.shape[0] - 1)
        return self.data[iy, ix]


def zone_image(points_xy: np.ndarray, zones: np.ndarray, size, cell: int = 4) -> np.ndarray:
    """A coarse (1/``cell`` scale) image of which zone shows where (-1: none), from the
    projected centres of the visible cells."""
    W, H = size
    img = np.full((H // cell + 2, W // cell + 2), -1, np.int32)
    ix = np.clip((points_xy[:, 0] / cell).astype(int), 0, img.shape[1] - 1)
    iy = np.clip((points_xy[:, 1] / cell).astype(int), 0, img.shape[0] - 1)
    img[iy, ix] = zones
    return img


def zones_crossed(zone_img: np.ndarray, p, q, cell: int = 4) -> set[int]:
    """The zones a leader from ``p`` to ``q`` passes over, but for the one it points at."""
    n = max(2, int(math.hypot(q[0] - p[0], q[1] - p[1]) / cell) + 1)
    t = np.linspace(0.0, 1.0, n)
    ix = np.clip(((p[0] + (q[0] - p[0]) * t) / cell).astype(int), 0, zone_img.shape[1] - 1)
    iy = np.clip(((p[1] + (q[1] - p[1]) * t) / cell).astype(int), 0, zone_img.shape[0] - 1)
    ids = zone_img[iy, ix]
    own = ids[-3:]  # the zone at the anchor, and its border
    return set(int(i) for i in ids[:-3] if i >= 0) - set(int(i) for i in own)


def ray_hits(mask, x: np.ndarray, y: np.ndarray, edge: float, step: float = 3.0) -> np.ndarray:
    """Which level segments from (x, y) to x = ``edge`` cross ``mask``."""
    n = max(2, int(np.abs(edge - x).max() / step) + 1)
    t = np.linspace(0.0, 1.0, n)[None, :]
    xs = x[:, None] + (edge - x[:, None]) * t
    ys = np.broadcast_to(y[:, None], xs.shape)
    return mask.hit(xs.ravel(), ys.ravel()).reshape(xs.shape).any(axis=1)


def length_over(mask, p, q, px_per_unit, unit) -> float:
    """Pixels of the segment p-q over ``mask``, leaving out its last centimetre (the zone the
    leader points at, next to which the mask's zone may lie)."""
    if mask is None:
        return 0.0
    length = math.hypot(q[0] - p[0], q[1] - p[1])
    n = max(2, int(length / 3))
    t = np.linspace(0.0, 1.0, n)
    keep = t * length <= length - 0.01 / unit * px_per_unit
    if not keep.any():
        return 0.0
    x = p[0] + (q[0] - p[0]) * t[keep]
    y = p[1] + (q[1] - p[1]) * t[keep]
    return float(mask.hit(x, y).sum()) * length / n
