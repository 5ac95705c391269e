#pragma once
// A scalar as a scenario file, a --set string or a sweep list gives it, and its TOML text.
#include <cstdint>
#include <string>
#include <variant>

namespace xsector {

// Integers are kept apart from reals so that an integer parameter can reject 2.5.
using ScalarValue = std::variant<std::int64_t, double, bool, std::string>;

// The shortest text that reads back to x, in TOML form: 0.0003, 20000000.0, 1.0.
std::string format_real(double x);

// A TOML literal: 2, 0.5, true, "grant".
std::string format_scalar(const ScalarValue& value);

}  // namespace xsector
