#include "scenario/toml_reading.hpp"

#include <algorithm>

#include "scenario/scenario.hpp"

namespace xsector {

std::string where(std::string_view source, const toml::source_position& position) {
  return std::string(source) + ":" + std::to_string(position.line) + ":" + std::to_string(position.column);
}

std::optional<ScalarValue> scalar_of(const toml::node& node) {
  if (const auto* value = node.as_integer()) return ScalarValue(value->get());
  if (const auto* value = node.as_floating_point()) return ScalarValue(value->get());
  if (const auto* value = node.as_boolean()) return ScalarValue(value->get());
  if (const auto* value = node.as_string()) return ScalarValue(value->get());
  return std::nullopt;
}

std::string node_kind(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "a value";
  }
}

CheckedValue check_node(const ParamSpec& spec, const toml::node& node) {
  if (const std::optional<ScalarValue> value = scalar_of(node)) return check_value(spec, *value);
  return {std::nullopt, "expected " + expected_phrase(spec) + ", got " + node_kind(node)};
}

std::vector<TableEntry> in_file_order(const toml::table& table) {
  std::vector<TableEntry> entries;
  for (auto&& [key, node] : table) entries.push_back({std::string(key.str()), &key, &node});
  std::stable_sort(entries.begin(), entries.end(), [](const TableEntry& a, const TableEntry& b) {
    const auto& position_a = a.key->source().begin;
    const auto& position_b = b.key->source().begin;
    return position_a.line != position_b.line ? position_a.line < position_b.line
                                              : position_a.column < position_b.column;
  });
  return entries;
}

ScalarValue parse_scalar(std::string_view text) {
  // Let toml++ decide what the text is, so --set reads values exactly as a file would.
  try {
    const toml::table parsed = toml::parse("v = " + std::string(text));
    if (parsed.size() == 1)
      if (const toml::node* node = parsed.get("v"))
        if (std::optional<ScalarValue> value = scalar_of(*node)) return *value;
  } catch (const toml::parse_error&) {
    // not a TOML scalar: a bare string such as voucher or data/net.graphml
  }
  return std::string(text);
}

}  // namespace xsector
