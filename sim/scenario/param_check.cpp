// Checking a value against a row of the parameter table, and moving checked values in and
// out of the field a row names. A value from a file, from --set or from a sweep list is
// checked here the same way.
#include <algorithm>
#include <array>
#include <cmath>

#include "scenario/overloaded.hpp"
#include "scenario/param_table.hpp"

namespace xsector {
namespace {

// "2.5 (a real number)", "\"abc\" (a string)" for wrong-type messages.
std::string describe_given(const ScalarValue& value) {
  static constexpr std::array<const char*, 4> kAlternativeNames = {"an integer", "a real number", "a boolean",
                                                                   "a string"};
  return format_scalar(value) + " (" + kAlternativeNames[value.index()] + ")";
}

CheckedValue rejected(std::string error) { return {std::nullopt, std::move(error)}; }

CheckedValue check_number(const ParamSpec& spec, double x, const ScalarValue& given) {
  if (std::isnan(x) || std::isinf(x))
    return rejected(format_scalar(given) + " is not allowed; use a finite number in " + spec.range.describe());
  if (!spec.range.contains(x)) {
    std::string error = format_scalar(given) + " is out of range; valid range is " + spec.range.describe();
    if (!spec.hint.empty()) error += " (" + spec.hint + ")";
    return rejected(std::move(error));
  }
  return {};
}

CheckedValue check_real(const ParamSpec& spec, const ScalarValue& value) {
  double x = 0;
  if (const auto* real = std::get_if<double>(&value))
    x = *real;
  else if (const auto* whole = std::get_if<std::int64_t>(&value))
    x = static_cast<double>(*whole);  // TOML writes 1 for 1.0; accept it
  else
    return rejected("expected a real number, got " + describe_given(value));
  CheckedValue checked = check_number(spec, x, value);
  if (checked.error.empty()) checked.value = x;
  return checked;
}

CheckedValue check_integer(const ParamSpec& spec, const ScalarValue& value) {
  std::int64_t n = 0;
  if (const auto* whole = std::get_if<std::int64_t>(&value)) {
    n = *whole;
  } else if (const auto* real = std::get_if<double>(&value)) {
    // 3.0 is accepted (sweep tools produce reals); 2.5, nan and inf are not integers.
    if (!std::isfinite(*real) || std::trunc(*real) != *real || std::fabs(*real) >= 9.2e18)
      return rejected("expected an integer, got " + describe_given(value) + "; write a whole number");
    n = static_cast<std::int64_t>(*real);
  } else {
    return rejected("expected an integer, got " + describe_given(value));
  }
  CheckedValue checked = check_number(spec, static_cast<double>(n), value);
  if (checked.error.empty()) checked.value = n;
  return checked;
}

CheckedValue check_choice(const ParamSpec& spec, const ScalarValue& value) {
  const auto* name = std::get_if<std::string>(&value);
  if (!name) return rejected("expected one of " + quoted_list(spec.choices) + ", got " + describe_given(value));
  if (std::find(spec.choices.begin(), spec.choices.end(), *name) != spec.choices.end()) return {*name, ""};
  std::string error = "unknown value \"" + *name + "\"";
  if (const std::string near = closest_match(*name, spec.choices); !near.empty())
    error += "; did you mean \"" + near + "\"?";
  return rejected(error + " (expected one of " + quoted_list(spec.choices) + ")");
}

}  // namespace

bool ValueRange::contains(double x) const {
  const bool lo_ok = lo_open ? x > lo : x >= lo;
  const bool hi_ok = hi_open ? x < hi : x <= hi;
  return lo_ok && hi_ok;
}

std::string ValueRange::describe() const {
  const bool lo_inf = std::isinf(lo), hi_inf = std::isinf(hi);
  if (lo_inf && hi_inf) return "any real";
  auto number = [](double x) {
    std::string text = format_real(x);
    const bool whole = text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0;
    if (whole) text.resize(text.size() - 2);  // [0, 1], not [0.0, 1.0]
    return text;
  };
  std::string left = lo_inf ? "(-∞" : lo_open ? "(" : "[";
  if (!lo_inf) left += number(lo);
  const std::string right = hi_inf ? "∞)" : number(hi) + (hi_open ? ")" : "]");
  return left + ", " + right;
}

CheckedValue check_value(const ParamSpec& spec, const ScalarValue& value) {
  switch (spec.kind) {
    case ParamKind::real: return check_real(spec, value);
    case ParamKind::integer: return check_integer(spec, value);
    case ParamKind::boolean:
      if (std::holds_alternative<bool>(value)) return {value, ""};
      return rejected("expected true or false, got " + describe_given(value));
    case ParamKind::choice: return check_choice(spec, value);
    case ParamKind::string:
      if (std::holds_alternative<std::string>(value)) return {value, ""};
      return rejected("expected a string, got " + describe_given(value) + "; quote it");
    case ParamKind::table: break;
  }
  return rejected("expected " + expected_phrase(spec) + ", got " + describe_given(value));
}

void store_value(const FieldRef& field, const ParamSpec& spec, const ScalarValue& checked) {
  std::visit(overloaded{
                 [&](double* slot) { *slot = std::get<double>(checked); },
                 [&](std::int64_t* slot) { *slot = std::get<std::int64_t>(checked); },
                 [&](std::uint64_t* slot) { *slot = static_cast<std::uint64_t>(std::get<std::int64_t>(checked)); },
                 [&](bool* slot) { *slot = std::get<bool>(checked); },
                 [&](std::string* slot) { *slot = std::get<std::string>(checked); },
                 // Enums: the index of the name among the choices.
                 [&](auto* slot) {
                   const auto& name = std::get<std::string>(checked);
                   const auto at = std::find(spec.choices.begin(), spec.choices.end(), name);
                   *slot = static_cast<std::remove_pointer_t<decltype(slot)>>(at - spec.choices.begin());
                 },
             },
             field);
}

ScalarValue read_value(const FieldRef& field, const ParamSpec& spec) {
  return std::visit(overloaded{
                        [](double* slot) -> ScalarValue { return *slot; },
                        [](std::int64_t* slot) -> ScalarValue { return *slot; },
                        [](std::uint64_t* slot) -> ScalarValue { return static_cast<std::int64_t>(*slot); },
                        [](bool* slot) -> ScalarValue { return *slot; },
                        [](std::string* slot) -> ScalarValue { return *slot; },
                        // Enums: the name at the enum's index.
                        [&](auto* slot) -> ScalarValue { return spec.choices.at(static_cast<std::size_t>(*slot)); },
                    },
                    field);
}

std::string expected_phrase(const ParamSpec& spec) {
  switch (spec.kind) {
    case ParamKind::real: return "a real number";
    case ParamKind::integer: return "an integer";
    case ParamKind::boolean: return "true or false";
    case ParamKind::choice: return "one of " + quoted_list(spec.choices);
    case ParamKind::string: return "a string";
    case ParamKind::table: return "a table";
  }
  return "a value";
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string list;
  for (std::size_t i = 0; i < names.size(); ++i) list += (i ? ", \"" : "\"") + names[i] + "\"";
  return list;
}

std::string and_list(const std::vector<std::string>& items) {
  std::string list;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) list += i + 1 == items.size() ? " and " : ", ";
    list += items[i];
  }
  return list;
}

}  // namespace xsector
