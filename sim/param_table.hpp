#pragma once
// The parameter table: for every dotted path of MODEL.md section 10, its default, unit,
// valid range, description and source. It is the single place defaults are written;
// docs/PARAMETERS.md is generated from it (`xsector params --markdown`).
#include <string>
#include <vector>

#include "scenario.hpp"

namespace xsector {

std::string parameters_markdown();

}  // namespace xsector
