// The writer lock on a results file (fcntl open file description locks), and the check
// for a file another process is writing.
#include "output/writer_lock.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/errors.hpp"
#include "output/results_file.hpp"

namespace xsector {
namespace {

#ifdef F_OFD_SETLK
constexpr int kSetLock = F_OFD_SETLK, kGetLock = F_OFD_GETLK;
#else
constexpr int kSetLock = F_SETLK, kGetLock = F_GETLK;
#endif

struct flock whole_file_write_lock() {
  struct flock request {};
  request.l_type = F_WRLCK;
  request.l_whence = SEEK_SET;
  return request;
}

}  // namespace

WriterLock WriterLock::acquire(const std::string& path, const std::string& file, bool create_new) {
  const int flags = O_RDWR | O_CLOEXEC | (create_new ? O_CREAT | O_EXCL : 0);
  WriterLock lock;
  lock.fd_ = ::open(file.c_str(), flags, 0666);
  if (lock.fd_ < 0) {
    const int err = errno;
    if (err == ENOENT && !create_new) throw OutputError(path + ": no such file");
    throw OutputError(path + ": cannot " + (create_new ? "create" : "open") + " it for writing: " +
                      std::strerror(err));
  }
  struct flock request = whole_file_write_lock();
  if (::fcntl(lock.fd_, kSetLock, &request) != 0 && (errno == EAGAIN || errno == EACCES))
    throw OutputError(path + ": is being written by another xsector process; wait for it to finish");
  // Other failures (a file system without locks) leave the file unlocked: better than
  // refusing to write results at all.
  return lock;
}

WriterLock::WriterLock(WriterLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

WriterLock& WriterLock::operator=(WriterLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

WriterLock::~WriterLock() { release(); }

void WriterLock::release() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool being_written_by_another_process(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock query = whole_file_write_lock();
  const bool held = ::fcntl(fd, kGetLock, &query) == 0 && query.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

}  // namespace xsector
