// docs/PARAMETERS.md, made from the rows: model parameters, intervention keys, the rule of
// which intervention key a later table replaces, and the [sweep] and [scenario] keys.
#include <cstdio>

#include "core/errors.hpp"
#include "scenario/file_keys.hpp"
#include "scenario/intervention_effects.hpp"
#include "scenario/param_table.hpp"

namespace xsector {
namespace {

const std::string kArticleCitation =
    "N. Britto, \"Attention Cross-Sector Collaboration Champions: Are We Forgetting the Public Sector?\", "
    "The Intersector Project";

// A table cell: a '|' would end it.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string default_cell(const ParamSpec& spec) {
  if (!spec.default_value) return spec.default_text;
  std::string text = "`";
  text += format_scalar(*spec.default_value);
  return text + "`";
}

std::string range_cell(const ParamSpec& spec) {
  switch (spec.kind) {
    case ParamKind::real:
    case ParamKind::integer: return spec.range.describe();
    case ParamKind::boolean: return "`true`, `false`";
    case ParamKind::choice: {
      std::string range;
      for (std::size_t i = 0; i < spec.choices.size(); ++i) range += (i ? ", `\"" : "`\"") + spec.choices[i] + "\"`";
      return range;
    }
    case ParamKind::string: return "any string";
    case ParamKind::table: return "table";
  }
  return "";
}

std::string unit_cell(const ParamSpec& spec) { return spec.unit.empty() ? "-" : spec.unit; }

std::string table_header(const std::string& first_column) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "| %s | default | unit | range | description | source |\n"
                "|---|---|---|---|---|---|\n",
                first_column.c_str());
  return buf;
}

// One row; `anchor` is the HTML id docs/MODEL.md links to, `label` the name shown.
std::string markdown_row(const ParamSpec& spec, const std::string& anchor, const std::string& label) {
  return "| <a id=\"" + anchor + "\"></a>`" + label + "` | " + cell(default_cell(spec)) + " | " +
         cell(unit_cell(spec)) + " | " + cell(range_cell(spec)) + " | " + cell(spec.description) + " | " +
         cell(spec.source + (spec.plausible.empty() ? "" : "; **most uncertain**, plausible: " + spec.plausible)) +
         " |\n";
}

std::string table_of(const std::string& path) { return path.substr(0, path.rfind('.')); }

std::string parameter_sections() {
  std::string out, current;
  for (const ParamSpec& spec : parameter_table()) {
    const std::string table = table_of(spec.path);
    if (table != current) {
      out += "\n## `[" + table + "]`\n\n" + table_header("path");
      current = table;
    }
    out += markdown_row(spec, spec.path, spec.path);
  }
  return out;
}

const char* intervention_summary(InterventionType type) {
  switch (type) {
    case InterventionType::foundation_public_support:
      return "Foundations give more to the public sector: sets `foundation.public_share` and optionally "
             "`foundation.public_channel`.";
    case InterventionType::membership_dissemination:
      return "A membership association disseminates a toolkit to governments.";
    case InterventionType::graduate_programs:
      return "Each government hires trained graduates with probability 1 - exp(-rate / ticks_per_year) per tick.";
    case InterventionType::knowledge_mobilization:
      return "Openly available academic resources speed toolkit diffusion in every client sector and make it "
             "more useful.";
    case InterventionType::budget_change:
      return "Scales a client sector's support share or budget while active (a cut, an increase, a recession).";
    case InterventionType::compliance_toolkit:
      return "Resources that address public-sector compliance: raises some providers' public_focus.";
  }
  return "";
}

// "the `p_extra` of `membership_dissemination` and `knowledge_mobilization` add": the keys
// whose values add up instead of the later table's replacing the earlier's.
std::string keys_that_add() {
  std::vector<std::pair<std::string_view, std::vector<std::string>>> types_by_key;
  for (const InterventionEffect& effect : kInterventionEffects) {
    if (effect.overlap != Overlap::adds) continue;
    auto it = types_by_key.begin();
    while (it != types_by_key.end() && it->first != effect.key) ++it;
    if (it == types_by_key.end()) it = types_by_key.insert(it, {effect.key, {}});
    std::string type = "`";
    type += intervention_type_name(effect.type);
    it->second.push_back(type + "`");
  }
  std::string out;
  for (const auto& [key, types] : types_by_key) {
    out += out.empty() ? "the `" : "; the `";
    out += key;
    out += "` of " + and_list(types) + " add";
  }
  return out;
}

std::string intervention_sections() {
  std::string out =
      "\n## Interventions: `[[intervention]]`\n\n"
      "Each `[[intervention]]` table switches on one intervention of MODEL.md 7.7 for the ticks t with "
      "start_year <= t / ticks_per_year < end_year. `--set` and sweeps address a key as "
      "`intervention.K.key`, K being the table's index in the file (0 first); `type` cannot be changed that "
      "way. When two active interventions set the same parameter the later table wins; " +
      keys_that_add() +
      ". start_year must not exceed end_year.\n\n"
      "### Keys of every type\n\n" +
      table_header("key");
  for (const ParamSpec& key : intervention_common_keys())
    out += markdown_row(key, "intervention." + key.path, key.path);
  for (int i = 0; i < kInterventionTypeCount; ++i) {
    const auto type = static_cast<InterventionType>(i);
    const std::string name(intervention_type_name(type));
    out += "\n### `" + name + "`\n\n" + intervention_summary(type) + "\n\n" + table_header("key");
    for (const ParamSpec& key : intervention_keys(type))
      out += markdown_row(key, "intervention." + name + "." + key.path, key.path);
  }
  return out;
}

// The [sweep] and [scenario] keys have no unit or source.
template <class Key>
std::string file_table_section(const std::string& table, const std::string& introduction,
                               const std::vector<Key>& keys) {
  std::string out = "\n## `[" + table + "]`\n\n" + introduction +
                    "| key | default | range | description |\n"
                    "|---|---|---|---|\n";
  for (const Key& key : keys)
    out += "| <a id=\"" + table + "." + key.spec.path + "\"></a>`" + key.spec.path + "` | " +
           cell(default_cell(key.spec)) + " | " + cell(range_cell(key.spec)) + " | " + cell(key.spec.description) +
           " |\n";
  return out;
}


// Terminal text: the docs' cells without markdown's backticks.
std::string plain(std::string text) {
  std::erase(text, '`');
  return text;
}

// `text` then spaces up to `width` characters as a terminal shows them (UTF-8: "∞" is
// three bytes and one column), and one space more.
std::string column(const std::string& text, std::size_t width) {
  std::size_t shown = 0;
  for (const char c : text) shown += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return text + std::string(width > shown ? width - shown + 1 : 1, ' ');
}

constexpr std::size_t kPathWidth = 42, kDefaultWidth = 12, kUnitWidth = 24, kRangeWidth = 16;

std::string listing_line(const ParamSpec& spec) {
  return column(spec.path, kPathWidth) + column(plain(default_cell(spec)), kDefaultWidth) +
         column(unit_cell(spec), kUnitWidth) + column(plain(range_cell(spec)), kRangeWidth) + spec.description +
         (spec.plausible.empty() ? "" : " [most uncertain]") + "\n";
}

std::string details(const ParamSpec& spec) {
  return spec.path + "\n  default:     " + plain(default_cell(spec)) + "\n  unit:        " + unit_cell(spec) +
         "\n  range:       " + plain(range_cell(spec)) + "\n  description: " + spec.description +
         "\n  source:      " + spec.source +
         (spec.plausible.empty() ? "" : "\n  uncertainty: one of the most uncertain; plausible: " + spec.plausible) +
         "\n  docs:        docs/PARAMETERS.md#" + spec.path + "\n";
}

}  // namespace

std::string parameters_listing() {
  std::string out = column("parameter", kPathWidth) + column("default", kDefaultWidth) + column("unit", kUnitWidth) +
                    column("range", kRangeWidth) + "description\n";
  for (const ParamSpec& spec : parameter_table()) out += listing_line(spec);
  return out + "\n`xsector params PATH` shows one parameter (or a table, e.g. `xsector params foundation`) in full; "
               "docs/PARAMETERS.md has intervention and sweep keys too.\n";
}

std::string parameter_details(std::string_view path) {
  if (const ParamSpec* spec = find_parameter(path)) return details(*spec);
  std::string out;
  const std::string prefix = std::string(path) + ".";
  for (const ParamSpec& spec : parameter_table())
    if (spec.path.starts_with(prefix)) out += details(spec);
  if (!out.empty()) return out;
  const std::string near = closest_match(path, parameter_paths());
  throw InputError("unknown parameter `" + std::string(path) + "`" +
                   (near.empty() ? "; `xsector params` lists them all" : "; did you mean `" + near + "`?"));
}

std::string parameters_markdown() {
  std::string out =
      "# Parameters\n\n"
      "This file is generated by `xsector params --markdown` from the parameter table in "
      "`sim/scenario/` (`param_rows.cpp`, `intervention_keys.cpp`, `file_keys.cpp`); do not edit it by hand.\n\n"
      "A scenario file (TOML) sets a parameter under its table, `--set path=value` overrides it, and "
      "`[sweep.parameters]` varies it by its dotted path. Ranges use [ ] for inclusive and ( ) for exclusive "
      "ends; a real parameter also accepts an integer; nan and inf are rejected. A unit of 1 means "
      "dimensionless. Sources: \"MODEL.md v1.1 §N\" is the model specification the code implements; "
      "\"assumption\" marks a stylised default that is not a calibrated estimate; \"most uncertain\" marks "
      "the twelve assumptions that matter most to the public sector gap and are known least, with the range "
      "we consider plausible (the sensitivity study scenarios/sensitivity_gap.toml varies exactly these, "
      "docs/SENSITIVITY.md); the seed article is " +
      kArticleCitation + ".\n";
  out += parameter_sections();
  out += intervention_sections();
  out += file_table_section(
      "sweep", "Varies parameters by dotted path; not part of the resolved parameters written to output files.\n\n",
      sweep_keys());
  out += file_table_section("scenario", "", scenario_keys());
  return out;
}

}  // namespace xsector
