"""Command line: python3 -m xsector_analysis report IN.h5 [-o IN.html] [--force] [--quarterly]
              python3 -m xsector_analysis export IN.h5 [-o IN.csv] [--force] [--metrics a,b] [--yearly]

`xsector report` runs this module with /usr/bin/python3 and PYTHONPATH set, passing its
arguments on. The report goes to IN.html by default; an existing output file is kept
unless --force is given. Exit status (README.md's codes): 0 on success, 1 if the report
could not be made (the reason is printed on stderr, without a traceback), 2 for a usage
error or a missing input file, 3 if the output exists (use --force) or the input is not
an HDF5 file or not an xsector results file (an HDF5 file without the root attribute
format_version, as `xsector info` says). Figures are drawn on
matplotlib's Agg canvas directly, so no display and no backend setting are needed.
"""
from __future__ import annotations

import argparse
import sys

SUBCOMMANDS = ("report", "export")


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in SUBCOMMANDS and argv[0].endswith(".h5"):
        argv.insert(0, "report")  # tolerate "python3 -m xsector_analysis OUT.h5"
    parser = argparse.ArgumentParser(prog="python3 -m xsector_analysis",
                                     description="Analysis of xsector results files.")
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="write a self-contained HTML report of a results file",
                         description="Write a self-contained HTML page (figures embedded) describing what was "
                                     "run and showing the public sector gap, support shares, capacity, final-year "
                                     "values and, for a sweep, the response to each swept parameter.")
    rep.add_argument("results", help="results file written by `xsector run` or `xsector sweep`")
    rep.add_argument("-o", "--output", help="HTML file to write (default: RESULTS with .html)")
    rep.add_argument("--force", action="store_true", help="overwrite an existing output file")
    rep.add_argument("--quarterly", "--per-tick", dest="per_tick", action="store_true",
                     help="figures over time show the values per tick as recorded (e.g. quarterly) "
                          "instead of yearly values")
    rep.add_argument("--title", help="page title (default: 'xsector report: SCENARIO')")
    rep.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    exp = sub.add_parser("export", help="write a results file as one CSV table (tidy long format)",
                         description="Write every run's metrics as one CSV table, a row per run, time step, "
                                     "metric and sector or stage, with the swept parameters as columns.")
    exp.add_argument("results", help="results file written by xsector run, sweep or compare")
    exp.add_argument("-o", "--output", help="CSV file to write (default: RESULTS with .csv)")
    exp.add_argument("--force", action="store_true", help="overwrite an existing output file")
    exp.add_argument("--metrics", help="comma-separated metric names (default: all)")
    exp.add_argument("--yearly", action="store_true", help="yearly values instead of one row per tick")
    exp.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    args = parser.parse_args(argv)

    import os
    if args.command == "export":
        return _export(args)
    out = args.output or os.path.splitext(args.results)[0] + ".html"
    if (refused := _check_paths("report", args.results, out, args.force)) is not None:
        return refused
    try:
        from .report import build_report
        out = build_report(args.results, out, title=args.title, time="tick" if args.per_tick else "year")
    except (OSError, ValueError, KeyError) as err:
        print(f"xsector report: error: {err}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"wrote {out}")
    return 0


def _check_paths(command: str, results: str, out: str, force: bool) -> int | None:
    """The exit status that refuses the inputs (printing why), or None when they are fine:
    2 for a missing results file, 3 for one that is not HDF5 or an output that exists."""
    import os
    if not os.path.exists(results):
        print(f"xsector {command}: error: no such results file: {results}", file=sys.stderr)
        return 2
    if not _is_hdf5(results):
        print(f"xsector {command}: error: {results} is not an HDF5 file (expected a results file written by "
              f"xsector run, sweep or compare)", file=sys.stderr)
        return 3
    if _lacks_format_version(results):
        # as `xsector info` words it (sim/output/file_access.cpp)
        print(f"xsector {command}: error: {results}: an HDF5 file but not an xsector results file (no format_version "
              f"attribute)", file=sys.stderr)
        return 3
    if os.path.exists(out) and not force:
        print(f"xsector {command}: error: {out} exists (use --force to overwrite, or -o to choose another file)",
              file=sys.stderr)
        return 3
    return None


def _export(args) -> int:
    import os
    out = args.output or os.path.splitext(args.results)[0] + ".csv"
    if (refused := _check_paths("export", args.results, out, args.force)) is not None:
        return refused
    try:
        from .export import export_csv
        names = [m.strip() for m in args.metrics.split(",")] if args.metrics else None
        rows = export_csv(args.results, out, names, yearly=args.yearly)
    except ValueError as err:
        print(f"xsector export: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"xsector export: error: {err}", file=sys.stderr)
        return 3
    if not args.quiet:
        print(f"wrote {out} ({rows} rows)")
    return 0


HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _lacks_format_version(path) -> bool:
    """True for an HDF5 file whose root has no `format_version` attribute, which every
    xsector results file has (docs/OUTPUT.md): some other program's HDF5 file. False when
    the attribute is there, and when h5py cannot open the file at all (a damaged file is
    left to the reader, which says what is wrong with it)."""
    try:
        import h5py
    except ImportError:
        return False
    for swmr in (False, True):  # a file a sweep still writes opens only in SWMR read mode
        try:
            with h5py.File(path, "r", swmr=swmr) as f:
                return "format_version" not in f.attrs
        except (OSError, ValueError):
            continue
    return False


def _is_hdf5(path) -> bool:
    """The HDF5 signature at offset 0, 512, 1024, 2048, ... (the HDF5 file format spec)."""
    try:
        with open(path, "rb") as fh:
            offset = 0
            while True:
                fh.seek(offset)
                head = fh.read(8)
                if len(head) < 8:
                    return False
                if head == HDF5_SIGNATURE:
                    return True
                offset = 512 if offset == 0 else offset * 2
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
