#pragma once
// Debian's libhdf5 1.10.8 trusts some lengths stored in a file (a variable-length string's
// size: H5HG_read copies that many bytes) and dies of SIGSEGV on a damaged file (fuzz
// finding F3, docs/RELIABILITY.md). No check of xsector's can come first, so while an
// existing file is read, a SIGSEGV or SIGBUS is turned into
//     error: PATH: the HDF5 library crashed while reading this file; it is damaged ...
// and exit code 3, as for any other unreadable file. The handler is installed only for the
// guard's lifetime (the reads of one existing file) and the previous one put back after,
// so that a crash anywhere else is still a crash.
//
// Under AddressSanitizer the guard does nothing: ASan reports the bad read inside libhdf5
// (with its stack) before any signal, which is what a sanitizer or fuzz run wants.
#include <csignal>
#include <string>

namespace xsector {

class Hdf5CrashGuard {
 public:
  explicit Hdf5CrashGuard(const std::string& path);
  ~Hdf5CrashGuard();
  Hdf5CrashGuard(const Hdf5CrashGuard&) = delete;
  Hdf5CrashGuard& operator=(const Hdf5CrashGuard&) = delete;

  // Whether this build installs the handler (false under AddressSanitizer).
  static bool active();

 private:
  std::string previous_path_;  // of an enclosing guard, put back in the message after
};

}  // namespace xsector
