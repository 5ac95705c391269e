#pragma once
// Designs of the sampled sweep methods on the unit cube: each point is k numbers in
// [0, 1], one per swept parameter in sweep order, which the parameter's distribution then
// turns into a value (scenario/distribution.hpp). The layouts are the ones the analysis
// package reads (analysis/xsector_analysis/sensitivity.py).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace xsector {

using UnitPoint = std::vector<double>;

// Saltelli's design for Sobol' indices from N base samples of k parameters: N(k + 2)
// points in the order A, B, AB_1, ..., AB_k, where A and B are the first and last k
// coordinates of points 1..N of the 2k-dimensional Sobol' sequence (Boost.Random's
// `sobol`, Joe-Kuo directions, which skips the all-zero point 0), and AB_i is A with
// coordinate i taken from B. Point (1 + i)N + j is AB_i's row j; i counts from 1.
std::vector<UnitPoint> saltelli_design(std::size_t base_samples, std::size_t parameters);

// Morris's elementary-effects design: r trajectories of k + 1 points on the grid of p
// levels {0, 1/(p − 1), ..., 1} (p even). Trajectory t's start takes each coordinate's
// level uniformly; then each coordinate moves once, in a uniformly random order, by
// Δ = p / (2(p − 1)): up from the lower half of the levels, down from the upper half, so
// every point stays on the grid. Point t(k + 1) + s is step s of trajectory t. The draws
// come from Stream(seed, trajectory, coordinate, Purpose::morris), so trajectory t
// depends on the seed and t alone.
std::vector<UnitPoint> morris_design(std::size_t trajectories, std::size_t parameters, int levels, std::uint64_t seed);

}  // namespace xsector
