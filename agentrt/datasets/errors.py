"""The one exception of the dataset package."""

from __future__ import annotations


class DatasetError(RuntimeError):
    """A dataset cannot be read, written or verified; the message says why in one line.

    Raised for bad input (not a dataset, wrong feature shape), for a full disk or an
    unwritable directory, and for an encoder that lost frames. Whatever was committed
    before the error is left intact.
    """
