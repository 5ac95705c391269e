#pragma once
// `xsector info OUT.h5`: a human summary of a results file (provenance, dimensions, runs
// done, swept parameters, metrics, resolved parameters).
#include <iosfwd>
#include <string>

namespace xsector {

// Throws OutputError (with the path) when the file is not a readable results file.
void print_info(const std::string& path, std::ostream& out);

}  // namespace xsector
