#pragma once
// Output files are written under a temporary name beside the target and renamed into
// place on success, so a failed or interrupted `run` never leaves a half-written file
// under the real name and never damages an existing one.
#include <string>

namespace xsector {

class AtomicOutput {
 public:
  // Throws OutputError if `target` exists and !force, or its folder is not writable.
  AtomicOutput(std::string target, bool force);
  ~AtomicOutput();  // removes the temporary file unless committed
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::string& temp_path() const { return temp_; }
  const std::string& target() const { return target_; }
  void commit();  // rename temp -> target

 private:
  std::string target_, temp_;
  bool committed_ = false;
};

}  // namespace xsector
