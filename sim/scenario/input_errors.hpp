#pragma once
// How the readers of scenario text (files, --set strings, sweep lists) word an error:
// "ORIGIN: key `PATH`: WHAT", ORIGIN being FILE:LINE:COL, "--set TEXT" or the file.
#include <string>
#include <string_view>

#include "core/errors.hpp"

namespace xsector {

[[noreturn]] inline void fail(std::string_view origin, const std::string& message) {
  throw InputError(std::string(origin) + ": " + message);
}

inline std::string key_error(std::string_view path, const std::string& what) {
  return "key `" + std::string(path) + "`: " + what;
}

}  // namespace xsector
