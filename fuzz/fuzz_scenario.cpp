// libFuzzer target: scenario parsing and validation (docs/RELIABILITY.md).
//
// The input is a scenario file, optionally followed by --set strings: everything before
// a line "#--set" is TOML, every line after it is one "path=value" override. For any
// bytes, parse_scenario must either return a scenario or throw InputError (exit code 2);
// any other exception, a crash or a sanitizer report is a finding. An accepted scenario
// must also survive the provenance round trip: its resolved parameters are TOML that
// parses back to the same resolved parameters (what `info` shows and `--resume` digests).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"
#include "finding.hpp"
#include "scenario/param_table.hpp"
#include "scenario/scenario.hpp"

namespace {

using xsector::fuzz::finding;

// InputError is the answer to a bad scenario; anything else is a finding.
template <class F>
bool accepts(const char* stage, F&& f) {
  return xsector::fuzz::accepts<xsector::InputError>(stage, std::forward<F>(f));
}

// Debian's toml++ 3.3.0 reaches TOML_UNREACHABLE (undefined behaviour) in
// impl::is_non_ascii_horizontal_whitespace() for the code points below, wherever it looks
// for whitespace: after `=`, or after a line-ending backslash in a multi-line string
// (upstream marzer/tomlplusplus#190 and #295, fixed by #305). Debian's compiled
// libtomlplusplus.so, which xsector links, answers "not whitespace" there (the tests
// toml_unicode_* of tests/python/test_bad_inputs.py hold it to that); this target compiles
// the header with UBSan, which would stop on every such input. So they are replaced by
// U+4E00, which takes the same path through the parser without the bug, and fuzzing goes on.
bool hits_toml33_unreachable(char32_t c) {
  return (c >= 0xA1 && c <= 0x499) || (c >= 0x2C5E && c <= 0x3057 && c != 0x3000) || (c >= 0xFB26 && c <= 0xFEFE);
}

std::string avoid_toml33_unreachable(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    const auto b = static_cast<unsigned char>(in[i]);
    const std::size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    char32_t c = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    bool well_formed = i + n <= in.size();
    for (std::size_t k = 1; well_formed && k < n; ++k) {
      const auto cont = static_cast<unsigned char>(in[i + k]);
      well_formed = (cont & 0xC0) == 0x80;
      c = (c << 6) | (cont & 0x3F);
    }
    if (n > 1 && well_formed && hits_toml33_unreachable(c)) {
      out += "\xE4\xB8\x80";  // U+4E00
      i += n;
    } else {
      out += in[i++];
    }
  }
  return out;
}

void split_input(std::string_view data, std::string& toml, std::vector<std::string>& overrides) {
  constexpr std::string_view marker = "\n#--set\n";
  const auto at = data.find(marker);
  toml = std::string(data.substr(0, at));
  if (at == std::string_view::npos) return;
  std::string_view rest = data.substr(at + marker.size());
  while (!rest.empty() && overrides.size() < 16) {
    const auto nl = rest.find('\n');
    overrides.emplace_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xsector;
  std::string toml;
  std::vector<std::string> overrides;
  const std::string text = avoid_toml33_unreachable(std::string_view(reinterpret_cast<const char*>(data), size));
  split_input(text, toml, overrides);

  // 1. The file with its overrides, as `xsector validate FILE --set ...` reads them.
  Scenario scenario;
  const bool ok = accepts("parse_scenario", [&] { scenario = parse_scenario(toml, "fuzz.toml", overrides); });

  // 2. The overrides alone on the defaults (run without a scenario file).
  accepts("apply_overrides", [&] {
    Scenario defaults = default_scenario();
    apply_overrides(defaults, overrides);
  });
  for (const std::string& text : overrides) accepts("parse_scalar", [&] { (void)parse_scalar(text); });
  if (!ok) return 0;

  // 3. Every parameter reads back; the resolved TOML parses to the same parameters.
  accepts("get_parameter", [&] {
    for (const std::string& path : parameter_paths()) (void)get_parameter(scenario, path);
    for (std::size_t k = 0; k < scenario.interventions.size(); ++k)
      (void)get_parameter(scenario, "intervention." + std::to_string(k) + ".start_year");
  });
  const std::string resolved = resolved_parameters_toml(scenario);
  std::string again;
  if (!accepts("resolved round trip",
               [&] { again = resolved_parameters_toml(parse_scenario(resolved, "resolved.toml")); }))
    finding("resolved round trip", "resolved parameters do not parse back:\n" + resolved);
  if (again != resolved) finding("resolved round trip", "resolved parameters change on a round trip:\n" + resolved);
  return 0;
}
