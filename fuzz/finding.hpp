#pragma once
// What the fuzz targets share: a finding is reported on stderr as "FUZZ FINDING: ..."
// (.ci/fuzz.sh greps for it) and aborts, so that libFuzzer saves the input.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <utility>

namespace xsector::fuzz {

[[noreturn]] inline void finding(const char* what, const std::string& detail) {
  std::fprintf(stderr, "FUZZ FINDING: %s: %s\n", what, detail.c_str());
  std::abort();
}

// Runs `f`: true if it returned, false if it threw `Expected` (the program's answer to a
// bad input: InputError or OutputError); any other exception is a finding of `stage`.
template <class Expected, class F>
bool accepts(const char* stage, F&& f) {
  try {
    f();
    return true;
  } catch (const Expected&) {
    return false;
  } catch (const std::exception& e) {
    finding(stage, std::string("unexpected exception: ") + e.what());
  } catch (...) {
    finding(stage, "unknown exception");
  }
}

}  // namespace xsector::fuzz
