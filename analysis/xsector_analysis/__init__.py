"""xsector_analysis: read, summarise and plot xsector results files.

    import xsector_analysis as xa
    ds = xa.open_results("out.h5")                 # lazy xarray Dataset
    df = xa.to_frame(ds, "public_sector_gap")      # tidy DataFrame
    s = xa.summarize(ds, "public_sector_gap")      # mean and 95% t-interval per point and year
    fig = xa.plot_gap(ds)                          # matplotlib Figure

See analysis/README.md. Command line: python3 -m xsector_analysis report OUT.h5 -o report.html
"""
from .io import RunInfo, metrics, open_results, run_info, swept_parameters, ticks_per_year
from .summary import (arm_details, arms, binned_means, compare, comparison_verdicts, cost_effectiveness, final_year,
                      format_value, human_label, intervals_along, intervention_windows, interval, is_comparison,
                      point_label, ratio_interval, summarize, t_quantile, to_frame, total, yearly)
from .plots import (plot_capacity, plot_comparison, plot_deltas, plot_distribution, plot_gap, plot_response,
                    plot_response_grid, plot_support_share)
from .report import build_report
from .sensitivity import feature_scores, morris, prim, sobol_indices

__all__ = [
    "RunInfo", "metrics", "open_results", "run_info", "swept_parameters", "ticks_per_year",
    "arms", "compare", "cost_effectiveness", "final_year", "interval", "point_label", "ratio_interval", "summarize",
    "t_quantile", "to_frame", "total", "yearly", "binned_means", "format_value", "human_label",
    "intervals_along", "intervention_windows", "arm_details", "comparison_verdicts", "is_comparison",
    "plot_capacity", "plot_comparison", "plot_deltas", "plot_distribution", "plot_gap", "plot_response", "plot_response_grid",
    "plot_support_share",
    "build_report",
    "feature_scores", "morris", "prim", "sobol_indices",
]
