#include "output/atomic_output.hpp"

#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "core/errors.hpp"

namespace xsector {
namespace fs = std::filesystem;

namespace {

// The folder a target lives in ("." for a bare file name).
fs::path folder_of(const std::string& target) {
  const fs::path parent = fs::path(target).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

}  // namespace

AtomicOutput::AtomicOutput(std::string target, bool force)
    : target_(std::move(target)), temp_(target_ + ".tmp-" + std::to_string(::getpid())) {
  std::error_code ec;
  if (fs::is_directory(target_, ec)) throw OutputError(target_ + ": is a folder, not an output file");
  if (fs::exists(target_, ec) && !force)
    throw OutputError("refusing to overwrite " + target_ + "; pass --force");
  const fs::path folder = folder_of(target_);
  if (!fs::is_directory(folder, ec)) throw OutputError(target_ + ": folder " + folder.string() + " does not exist");
  if (::access(folder.c_str(), W_OK) != 0)
    throw OutputError(target_ + ": folder " + folder.string() + " is not writable");
  // A leftover temporary with our pid can only come from a dead process that had the same
  // pid: it is garbage, and it would block the exclusive create of the results file.
  fs::remove(temp_, ec);
}

AtomicOutput::~AtomicOutput() {
  if (committed_) return;
  std::error_code ec;  // a destructor cannot report; a leftover .tmp file is harmless
  fs::remove(temp_, ec);
}

void AtomicOutput::commit() {
  if (committed_) return;
  std::error_code ec;
  // rename(2) within one folder is atomic: readers see the old file or the new one.
  fs::rename(temp_, target_, ec);
  if (ec) throw OutputError(target_ + ": cannot move " + temp_ + " into place: " + ec.message());
  committed_ = true;
}

}  // namespace xsector
