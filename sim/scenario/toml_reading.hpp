#pragma once
// TOML nodes as the scenario readers see them: positions, scalars, tables in file order.
#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/param_table.hpp"
#include "scenario/scalar_value.hpp"

namespace xsector {

// "FILE:LINE:COL".
std::string where(std::string_view source, const toml::source_position& position);

// The node's value if it is an integer, real, boolean or string.
std::optional<ScalarValue> scalar_of(const toml::node& node);

// "a table", "an array", "a date", ...: what a non-scalar node is, for error messages.
std::string node_kind(const toml::node& node);

// A TOML value checked against a row.
CheckedValue check_node(const ParamSpec& spec, const toml::node& node);

struct TableEntry {
  std::string name;
  const toml::key* key;
  const toml::node* node;
};

// toml++ keeps tables sorted by key; errors and "the later wins" follow the file instead.
std::vector<TableEntry> in_file_order(const toml::table& table);

}  // namespace xsector
