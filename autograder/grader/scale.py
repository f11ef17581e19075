"""How big a helper call's arguments are, bounded by the case it comes from.

Runs in the grader and in its oracle process (`oracle.py`); imports only numpy and plain
modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import wire
from ..spec import Call


@dataclass(frozen=True)
class Scale:
    """How big the arrays and numbers of a tree of plain values are.

    A helper's work and memory grow with its arguments' dimensions, their number (numpy
    broadcasts size-1 axes together), the integers it is given and the shapes they can
    make (a shape in a cache, as a tuple or an integer array), so the oracle bounds all
    five by the case's own: at most `largest ** (rank + 1)` elements per array from its
    arrays, and no shape asking for more elements than the case's arrays hold (4 times
    over), whatever the arguments.
    """

    largest: int = 0       # largest array dimension
    rank: int = 0          # most dimensions of an array
    elements: int = 0      # array elements in all
    integer: int = 0       # largest integer: dimensions and integer arrays included
    shape: int = 0         # most elements a possible shape asks for (`wire.shape_size`)

    @classmethod
    def of(cls, value: Any) -> Scale:
        largest = rank = elements = integer = shape = 0
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, np.ndarray):
                largest = max(largest, *item.shape, 0)
                rank, elements = max(rank, item.ndim), elements + item.size
                if item.dtype.kind in "iu" and item.size:
                    integer = max(integer, abs(int(item.max())), abs(int(item.min())))
                    if item.ndim == 1 and item.size <= wire.MAX_SHAPE_RANK:
                        shape = max(shape, wire.shape_size(item.tolist()))
            elif isinstance(item, (int, np.integer)) and not isinstance(item, bool):
                integer = max(integer, abs(int(item)))
            elif isinstance(item, (list, tuple)):
                shape = max(shape, wire.shape_size(item))
                stack.extend(item)
            elif isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, Call):
                stack.extend((item.args, dict(item.kwargs)))
        return cls(largest, rank, elements, max(integer, largest), shape)

    def numbers(self) -> list[int]:
        """The five numbers, in order (`Scale(*numbers)` is this scale again)."""
        return [self.largest, self.rank, self.elements, self.integer, self.shape]

    def within(self, bound: Scale) -> bool:
        # (one more axis than the case's arrays: a model's helpers see (N, T, H) states
        # built from (N, T) inputs)
        room = 4 * bound.elements + 1024
        return (self.largest <= bound.largest and self.rank <= bound.rank + 1
                and self.integer <= bound.integer and self.elements <= room
                and self.shape <= room)
