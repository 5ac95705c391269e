#pragma once
// Internal to the output layer: the advisory lock a ResultsWriter holds on its file, so
// that a second writer is refused rather than interleaved.
#include <string>

namespace xsector {

// An advisory write lock on the results file (an open file description lock, which
// neither HDF5's flock() nor other descriptors of this process interfere with). The
// kernel drops it when the process dies, so a killed writer never leaves a stale lock.
// being_written_by_another_process (results_file.hpp) asks for it.
class WriterLock {
 public:
  WriterLock() = default;
  // Opens `file` (creating it exclusively if `create_new`) and locks it; messages name
  // `path`, the results file the user asked for.
  static WriterLock acquire(const std::string& path, const std::string& file, bool create_new);
  WriterLock(WriterLock&& other) noexcept;
  WriterLock& operator=(WriterLock&& other) noexcept;
  ~WriterLock();
  void release();

 private:
  int fd_ = -1;
};

}  // namespace xsector
