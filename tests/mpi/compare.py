"""Compare two xsector results files run for run (tests/test_mpi.sh).

    python3 compare.py A.h5 B.h5          # every dataset but wall_time, bit for bit
    python3 compare.py --count A.h5       # prints "done total" of one file

Exit status 0 when equal, 1 with the differences on stderr otherwise. Every dataset along
`run` (metrics, done, point, replicate, seed, param:*) must be byte-identical, NaNs
included; wall_time differs from run to run and is skipped; the identity attributes
(kind, scenario_digest, swept_parameters, program_version) must match.
"""
import sys

import h5py
import numpy as np

SKIP = {"wall_time"}
ATTRS = ("kind", "scenario_digest", "swept_parameters", "program_version", "format_version")


def main(argv):
    if argv[1] == "--count":
        # swmr=True: a file whose writer was killed still carries its "open for write" flag
        with h5py.File(argv[2], "r", swmr=True) as f:
            done = f["done"][()]
            print(int(np.count_nonzero(done)), len(done))
        return 0
    a_path, b_path = argv[1], argv[2]
    problems = []
    with h5py.File(a_path, "r", swmr=True) as a, h5py.File(b_path, "r", swmr=True) as b:
        names_a = {k for k in a.keys() if isinstance(a[k], h5py.Dataset)} - SKIP
        names_b = {k for k in b.keys() if isinstance(b[k], h5py.Dataset)} - SKIP
        if names_a != names_b:
            problems.append(f"datasets differ: {sorted(names_a ^ names_b)}")
        for name in sorted(names_a & names_b):
            x, y = a[name][()], b[name][()]
            if x.shape != y.shape or x.dtype != y.dtype:
                problems.append(f"{name}: shape/dtype {x.shape} {x.dtype} vs {y.shape} {y.dtype}")
            elif x.dtype.kind == "O":  # variable-length strings (sector, stage)
                if x.tolist() != y.tolist():
                    problems.append(f"{name}: differs")
            elif np.ascontiguousarray(x).tobytes() != np.ascontiguousarray(y).tobytes():
                runs = sorted({int(i[0]) for i in np.argwhere(~((x == y) | (np.isnan(x) & np.isnan(y))))}) \
                    if x.dtype.kind == "f" else "?"
                problems.append(f"{name}: differs (runs {runs})")
        for attr in ATTRS:
            va, vb = a.attrs.get(attr), b.attrs.get(attr)
            if not np.array_equal(np.asarray(va), np.asarray(vb)):
                problems.append(f"attribute {attr}: {va!r} vs {vb!r}")
    for p in problems:
        print(f"{a_path} vs {b_path}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
