"""Command line: python3 -m xsector_analysis report OUT.h5 [-o report.html]

`xsector report` runs this module with /usr/bin/python3 and PYTHONPATH set, passing its
arguments on. Exit status: 0 on success, 1 if the report could not be made (the reason
is printed on stderr, without a traceback), 2 for a usage error. Figures are drawn on
matplotlib's Agg canvas directly, so no display and no backend setting are needed.
"""
from __future__ import annotations

import argparse
import sys

SUBCOMMANDS = ("report",)


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
    rep.add_argument("--title", help="page title (default: 'xsector report: SCENARIO')")
    rep.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    args = parser.parse_args(argv)

    try:
        from .report import build_report
        out = build_report(args.results, args.output, title=args.title)
    except (OSError, ValueError, KeyError) as err:
        print(f"xsector report: error: {err}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
