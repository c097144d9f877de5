"""A CTranslate2 ``model.bin`` read without CTranslate2: header and variables.

The file (CTranslate2's binary version 6, as ``ctranslate2.specs.ModelSpec``
writes it) is a header -- a uint32 version, the spec's name, a uint32 revision --
then a uint32 count of variables, each written as its name, its number of
dimensions (uint8), each dimension (uint32), its dtype (uint8: 0 float32, 1 int8,
2 int16, 3 int32, 4 float16, 5 bfloat16), its size in bytes (uint32) and the bytes
themselves, then the aliases. Strings are a uint16 length (the terminating zero
included) and the UTF-8 bytes with a zero.
"""

import os
import struct

import numpy as np

__all__ = ["Ct2Variable", "ct2_variables", "read_ct2_arrays"]

#: CTranslate2's DataType ids, in order (``ctranslate2.specs.model_spec``).
DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")

#: Those read into numpy arrays here (bfloat16 has no numpy dtype).
READABLE = {"float32", "int8", "int16", "int32", "float16"}


class Ct2Variable:
    """One variable of a ``model.bin``: name, shape, dtype name, bytes and offset."""

    __slots__ = ("dtype", "n_bytes", "name", "offset", "shape")

    def __init__(self, name, shape, dtype, n_bytes, offset):
        self.name = name
        self.shape = tuple(shape)
        self.dtype = dtype
        self.n_bytes = n_bytes
        self.offset = offset


def ct2_variables(path):
    """The variables of the CTranslate2 ``model.bin`` at ``path``, in file order.

    Reads the header only and seeks past the data (milliseconds for a 145 MB
    file). Raises ValueError naming ``path`` when the file is not a CTranslate2
    model of binary version 6 (what CTranslate2 4 writes) or is cut short.

    Returns
    -------
    dict of str to Ct2Variable
    """
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size

            def read(fmt):
                return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]

            def string():
                return f.read(read("H"))[:-1].decode()

            version = read("I")
            if version != 6:
                raise ValueError(f"binary version {version}, not 6")
            string(), read("I")  # spec name, revision
            out = {}
            for _ in range(read("I")):
                name = string()
                shape = [read("I") for _ in range(read("B"))]
                dtype_id = read("B")
                n_bytes = read("I")
                if dtype_id >= len(DTYPES):
                    raise ValueError(f"{name} has the unknown dtype id {dtype_id}")
                offset = f.tell()
                if offset + n_bytes > size:
                    raise ValueError(f"{name} runs past the end of the file")
                out[name] = Ct2Variable(name, shape, DTYPES[dtype_id], n_bytes, offset)
                f.seek(n_bytes, os.SEEK_CUR)
    except (struct.error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(
            f"{path} is not a CTranslate2 model.bin this reader knows ({exc})."
        ) from None
    return out


def read_ct2_arrays(path, prefix=""):
    """The variables of ``model.bin`` whose names start with ``prefix``, as arrays.

    Each array has the variable's shape and the dtype it is stored in (float16
    stays float16). A float variable that CTranslate2 quantized (int8 or int16
    with a ``<name>_scale`` beside it) or stored in bfloat16 is an error naming
    the file and the variable: this reader serves float16 and float32 models,
    which is how the Whisper models are converted for faster-whisper.

    Returns
    -------
    dict of str to ndarray
    """
    variables = ct2_variables(path)
    chosen = [v for name, v in variables.items() if name.startswith(prefix)]
    for v in chosen:
        if v.name.endswith("_scale") or f"{v.name}_scale" in variables:
            raise ValueError(
                f"{path} holds quantized weights ({v.name}, {v.dtype}); only float16 "
                "and float32 CTranslate2 models can be read: convert the model again "
                "with --quantization float16 (or float32)."
            )
        if v.dtype not in READABLE:
            raise ValueError(
                f"{path} stores {v.name} as {v.dtype}; only float16 and float32 "
                "CTranslate2 models can be read: convert the model again with "
                "--quantization float16 (or float32)."
            )
    out = {}
    with open(path, "rb") as f:
        for v in chosen:
            f.seek(v.offset)
            data = np.frombuffer(f.read(v.n_bytes), dtype=v.dtype)
            if data.size != int(np.prod(v.shape, dtype=np.int64)):
                raise ValueError(
                    f"{path}: {v.name} holds {data.size} values for its shape "
                    f"{v.shape}."
                )
            out[v.name] = data.reshape(v.shape)
    return out
