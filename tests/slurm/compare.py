"""Is a merged sweep file the same as a single-process sweep? (tests/slurm/run.sh)

    /usr/bin/python3 tests/slurm/compare.py MERGED.h5 SINGLE.h5

Compares everything in the two files: the set of objects, every dataset value for value
(byte for byte, NaNs included), its shape and type, every attribute of the file and of
each dataset (dimension scales by the names they point to). Exit status 0 when equal, 1
with each difference on stderr otherwise. Only these may differ, each for a reason:
"""
import sys

import h5py
import numpy as np

# Datasets whose values may differ, and why.
SKIP_DATASETS = {
    "wall_time": "seconds each run took: a measurement, different on every run",
}
# File attributes that may differ, and why.
SKIP_FILE_ATTRS = {
    "command_line": "the command that wrote the file (merge's own, not the sweep's)",
    "start_time": "when the writing command started (UTC clock time)",
    "end_time": "when the writing command ended (UTC clock time)",
    "threads": "threads of the writing process (results do not depend on it)",
}
__doc__ += "".join(f"\n    {k}: {v}" for k, v in {**SKIP_DATASETS, **SKIP_FILE_ATTRS}.items()) + "\n"
# Attributes holding object references (HDF5 dimension scales): compared by the names of
# the datasets they point to, since the references are addresses inside each file.
REFERENCE_ATTRS = {"DIMENSION_LIST", "REFERENCE_LIST"}


def same_value(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.shape != y.shape or x.dtype != y.dtype:
        return False
    if x.dtype.kind == "O":  # variable-length strings
        return x.tolist() == y.tolist()
    return np.ascontiguousarray(x).tobytes() == np.ascontiguousarray(y).tobytes()


def scale_names(f, obj, attr):
    """DIMENSION_LIST: per dimension, the names of its scales; REFERENCE_LIST: the datasets
    that use this scale, with the dimension."""
    value = obj.attrs[attr]
    if attr == "DIMENSION_LIST":
        return [[f[ref].name for ref in refs] for refs in value]
    return sorted((f[entry[0]].name, int(entry[1])) for entry in value)


def describe_difference(name, x, y):
    if x.shape != y.shape or x.dtype != y.dtype:
        return f"dataset {name}: shape/type {x.shape} {x.dtype} vs {y.shape} {y.dtype}"
    if x.dtype.kind == "f" and x.ndim >= 1:
        unequal = ~((x == y) | (np.isnan(x) & np.isnan(y)))
        rows = sorted({int(i[0]) for i in np.argwhere(unequal)})
        return f"dataset {name}: differs at {len(rows)} index(es) along the first axis, e.g. {rows[:10]}"
    if x.ndim >= 1 and x.dtype.kind != "O":
        rows = sorted({int(i[0]) for i in np.argwhere(x != y)})
        return f"dataset {name}: differs at {len(rows)} index(es), e.g. {rows[:10]}: {x[rows[:5]]} vs {y[rows[:5]]}"
    return f"dataset {name}: differs"


def compare(a_path, b_path):
    problems = []
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        def objects(f):
            found = {}
            f.visititems(lambda name, obj: found.__setitem__(name, type(obj).__name__))
            return found
        objs_a, objs_b = objects(a), objects(b)
        if objs_a != objs_b:
            only = sorted(set(objs_a.items()) ^ set(objs_b.items()))
            problems.append(f"objects differ: {only}")
        checked = 0
        for path in sorted(set(objs_a) & set(objs_b)):
            oa, ob = a[path], b[path]
            if isinstance(oa, h5py.Dataset) and isinstance(ob, h5py.Dataset) and path not in SKIP_DATASETS:
                x, y = oa[()], ob[()]
                if not same_value(x, y):
                    problems.append(describe_difference(path, np.asarray(x), np.asarray(y)))
                checked += 1
            if set(oa.attrs) != set(ob.attrs):
                problems.append(f"{path}: attributes differ: {sorted(set(oa.attrs) ^ set(ob.attrs))}")
            for attr in sorted(set(oa.attrs) & set(ob.attrs)):
                if attr in REFERENCE_ATTRS:
                    same = scale_names(a, oa, attr) == scale_names(b, ob, attr)
                else:
                    same = same_value(oa.attrs[attr], ob.attrs[attr])
                if not same:
                    problems.append(f"{path}: attribute {attr} differs")
        if set(a.attrs) != set(b.attrs):
            problems.append(f"file attributes differ: {sorted(set(a.attrs) ^ set(b.attrs))}")
        for attr in sorted((set(a.attrs) & set(b.attrs)) - set(SKIP_FILE_ATTRS)):
            if not same_value(a.attrs[attr], b.attrs[attr]):
                problems.append(f"file attribute {attr}: {a.attrs[attr]!r:.200} vs {b.attrs[attr]!r:.200}")
        if "done" in a and not np.all(a["done"][()] == 1):
            problems.append(f"{a_path}: {int(np.count_nonzero(a['done'][()] == 0))} runs not done")
    for p in problems:
        print(f"{a_path} vs {b_path}: {p}", file=sys.stderr)
    if not problems:
        skipped = ", ".join(list(SKIP_DATASETS) + [f"@{k}" for k in SKIP_FILE_ATTRS])
        print(f"equal: {checked} datasets value for value, every attribute (not compared: {skipped})")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(compare(sys.argv[1], sys.argv[2]))
