#include "scenario/scalar_value.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "scenario/overloaded.hpp"

namespace xsector {

std::string format_real(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  // The shortest of 15..17 significant digits that reads back exactly: 0.0003, not
  // 0.00029999999999999997, and still a lossless round trip.
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  std::string text = buf;
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";  // TOML: a float needs . or e
  return text;
}

std::string format_scalar(const ScalarValue& value) {
  return std::visit(overloaded{
                        [](std::int64_t n) { return std::to_string(n); },
                        [](double x) { return format_real(x); },
                        [](bool b) { return std::string(b ? "true" : "false"); },
                        [](const std::string& text) {
                          std::string out = "\"";
                          for (char c : text) {
                            if (c == '"' || c == '\\') {
                              out += '\\';
                              out += c;
                            } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                              char escaped[8];
                              std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
                              out += escaped;
                            } else {
                              out += c;
                            }
                          }
                          return out + "\"";
                        },
                    },
                    value);
}

}  // namespace xsector
