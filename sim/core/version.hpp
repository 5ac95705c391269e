#pragma once
namespace xsector {
// "MAJOR.MINOR.PATCH+<git describe>", fixed at configure time.
const char* program_version();
}  // namespace xsector
