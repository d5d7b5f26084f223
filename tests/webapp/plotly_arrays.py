"""Read figure arrays as the browser gets them (plotly sends numpy arrays as typed base64)."""

import base64

import numpy as np


def values(array) -> np.ndarray:
    if isinstance(array, dict) and "bdata" in array:
        flat = np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
        shape = [int(n) for n in str(array.get("shape", len(flat))).split(",")]
        return flat.reshape(shape)
    return np.asarray(array)
