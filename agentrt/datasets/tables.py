"""Frame columns <-> Arrow tables for ``data/*.parquet``, typed by the feature spec."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa


def column_type(feature: Mapping[str, Any]) -> pa.DataType:
    """Scalars (shape ``[1]``) as plain columns, vectors ``[D]`` as fixed-size lists (``Sequence``)."""
    leaf = pa.from_numpy_dtype(np.dtype(feature["dtype"]))
    shape = list(feature["shape"])
    if shape == [1]:
        return leaf
    if len(shape) != 1:
        raise ValueError(f"only scalar and vector features live in Parquet, got shape {shape}")
    return pa.list_(leaf, shape[0])


def frame_schema(features: Mapping[str, Mapping[str, Any]]) -> pa.Schema:
    """The schema of a data file: every non-video feature, in spec order."""
    return pa.schema([(key, column_type(ft)) for key, ft in features.items() if ft["dtype"] != "video"])


def frames_table(columns: Mapping[str, np.ndarray], features: Mapping[str, Mapping[str, Any]]) -> pa.Table:
    """``{key: (N,) or (N, D) array}`` as a table of :func:`frame_schema`."""
    schema = frame_schema(features)
    arrays = []
    for field in schema:
        values = np.asarray(columns[field.name])
        if pa.types.is_fixed_size_list(field.type):
            flat = pa.array(values.reshape(-1).astype(field.type.value_type.to_pandas_dtype()))
            arrays.append(pa.FixedSizeListArray.from_arrays(flat, field.type.list_size))
        else:
            arrays.append(pa.array(values.reshape(-1), type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def table_columns(table: pa.Table) -> dict[str, np.ndarray]:
    """A data table back to numpy: ``(N,)`` for scalars, ``(N, D)`` for vectors."""
    out = {}
    for field in table.schema:
        column = table[field.name].combine_chunks()
        if pa.types.is_fixed_size_list(field.type) or pa.types.is_list(field.type):
            size = field.type.list_size if pa.types.is_fixed_size_list(field.type) else None
            flat = column.flatten().to_numpy(zero_copy_only=False)
            out[field.name] = flat.reshape(len(column), size or -1)
        else:
            out[field.name] = column.to_numpy(zero_copy_only=False)
    return out
