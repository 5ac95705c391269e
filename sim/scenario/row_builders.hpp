#pragma once
// How a row of the parameter table is written: value ranges, sources and one builder per
// kind. Shared by the model parameters (param_rows.cpp), the intervention keys
// (intervention_keys.cpp) and the [scenario] and [sweep] keys (file_keys.cpp).
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scenario/param_table.hpp"

namespace xsector::rows {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

inline ValueRange closed(double lo, double hi) { return {lo, hi, false, false}; }
inline ValueRange at_least(double lo) { return {lo, kInf, false, true}; }
inline ValueRange above(double lo) { return {lo, kInf, true, true}; }
inline ValueRange any_real() { return {}; }
// Lognormal draws are median * e^(sigma * z) with |z| <= 8.7 (Box-Muller from 53-bit
// uniforms). These bounds keep every draw, and every sum of draws over billions of agents,
// finite (no infinity may enter the state: docs/RELIABILITY.md) while lying far beyond any real
// organisation: $10^15 is ten times world output, sigma 10 spreads budgets over 75 orders
// of magnitude.
inline ValueRange money_median() { return {0, 1e15, true, false}; }
inline ValueRange lognormal_sigma() { return closed(0, 10); }
inline const ValueRange kUnit = closed(0, 1);  // probabilities, shares, c, m, k, trust

// Sources. MODEL.md gives its defaults without empirical sources; saying "assumption"
// keeps users from reading them as calibrated estimates. The seed article is cited in
// full once, in the introduction of the generated docs (param_docs.cpp).
inline const std::string kArticle = "seed article";
inline std::string model(std::string_view section, std::string_view note = "assumption") {
  return "MODEL.md v1.1 " + std::string(section) + " (" + std::string(note) + ")";
}

inline ParamSpec real(std::string path, double default_value, std::string unit, ValueRange range,
                      std::string description, std::string source) {
  ParamSpec spec;
  spec.path = std::move(path);
  spec.kind = ParamKind::real;
  spec.default_value = default_value;
  spec.unit = std::move(unit);
  spec.range = range;
  spec.description = std::move(description);
  spec.source = std::move(source);
  return spec;
}

inline ParamSpec integer(std::string path, std::int64_t default_value, std::string unit, ValueRange range,
                         std::string description, std::string source) {
  ParamSpec spec = real(std::move(path), 0, std::move(unit), range, std::move(description), std::move(source));
  spec.kind = ParamKind::integer;
  spec.default_value = default_value;
  return spec;
}

inline ParamSpec boolean(std::string path, bool default_value, std::string description, std::string source) {
  ParamSpec spec = real(std::move(path), 0, "", {}, std::move(description), std::move(source));
  spec.kind = ParamKind::boolean;
  spec.default_value = default_value;
  return spec;
}

inline ParamSpec choice(std::string path, std::string default_value, std::vector<std::string> choices,
                        std::string description, std::string source) {
  ParamSpec spec = real(std::move(path), 0, "", {}, std::move(description), std::move(source));
  spec.kind = ParamKind::choice;
  spec.default_value = std::move(default_value);
  spec.choices = std::move(choices);
  return spec;
}

inline ParamSpec text(std::string path, std::string default_value, std::string unit, std::string description,
                      std::string source) {
  ParamSpec spec = real(std::move(path), 0, std::move(unit), {}, std::move(description), std::move(source));
  spec.kind = ParamKind::string;
  spec.default_value = std::move(default_value);
  return spec;
}

// A row whose default is not a value: "required", "`simulation.years`", "unchanged".
inline ParamSpec without_default(ParamSpec spec, std::string default_text) {
  spec.default_value.reset();
  spec.default_text = std::move(default_text);
  return spec;
}

inline ParamSpec with(ParamSpec spec, std::function<FieldRef(Params&)> field) {
  spec.field = std::move(field);
  return spec;
}

inline ParamSpec with(ParamSpec spec, std::function<FieldRef(Intervention&)> field) {
  spec.intervention_field = std::move(field);
  return spec;
}

}  // namespace xsector::rows
