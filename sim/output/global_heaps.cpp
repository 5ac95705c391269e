#include "output/global_heaps.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <tuple>

#include "core/errors.hpp"

namespace xsector::hdf5 {
namespace {

// A read-only view of the whole file; bytes past its end read as zeros, as HDF5's sec2
// driver fills a read past the end of the file (an end-of-file address larger than the
// file makes HDF5 read there).
class FileBytes {
 public:
  FileBytes(const unsigned char* data, std::uint64_t size) : data_(data), size_(size) {}
  std::uint64_t size() const { return size_; }
  unsigned byte(std::uint64_t at) const { return at < size_ ? data_[at] : 0u; }
  // A little-endian unsigned integer of `width` bytes (HDF5 encodes lengths so).
  std::uint64_t number(std::uint64_t at, unsigned width) const {
    std::uint64_t value = 0;
    for (unsigned i = width; i-- > 0;) value = (value << 8) | byte(at + i);
    return value;
  }
  const unsigned char* data() const { return data_; }

 private:
  const unsigned char* data_;
  std::uint64_t size_;
};

// The width of lengths in this file (the superblock's "size of lengths"), or 0 when there is
// no superblock HDF5 would accept, in which case HDF5 reads no heap either. The superblock
// is at 0, 512, 1024, 2048, ... (after a user block).
unsigned length_width(const FileBytes& file) {
  constexpr unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  for (std::uint64_t at = 0; at + 16 <= file.size(); at = at ? at * 2 : 512) {
    if (std::memcmp(file.data() + at, kSignature, 8) != 0) continue;
    const unsigned version = file.byte(at + 8);
    const unsigned width = file.byte(at + (version >= 2 ? 10 : 14));
    return width == 2 || width == 4 || width == 8 || width == 16 || width == 32 ? width : 0;
  }
  return 0;
}

// What walking a collection as H5HG__cache_heap_deserialize does finds.
struct Walk {
  bool sound = true;
  std::uint64_t object_at = 0;  // the first object that would not let the walk end
  std::uint64_t object_size = 0;
};

// Walks the objects of the collection at `at` as H5HG__cache_heap_deserialize does. That
// loop sets its cursor to the object's start plus the space the object takes, computed in
// size_t and never checked, so it ends only while every object lies inside the collection:
// a free-space object (index 0) of size 0 never advances, and a size that runs past the end
// wraps the pointer around, back into or before the collection (it loops or reads outside
// it). HDF5 writes neither, so a collection with either is damaged. Only collections HDF5
// would load are walked: signature "GCOL" and version 1.
Walk walk(const FileBytes& file, std::uint64_t at, unsigned width) {
  if (file.byte(at + 4) != 1) return {};     // HDF5 rejects another version
  const std::uint64_t header = 8 + width;    // signature, version, 3 reserved, size
  const std::uint64_t object_header = 8 + width;  // index, references, 4 reserved, size
  const std::uint64_t size = file.number(at + 8, width);
  if (size <= header) return {};
  const std::uint64_t end = at + size < at ? UINT64_MAX : at + size;
  for (std::uint64_t p = at + header; p < end;) {
    if (end - p < object_header) break;  // the tail is free space
    const std::uint64_t index = file.number(p, 2);
    const std::uint64_t object_size = file.number(p + 8, width);
    // Objects take their header and their size rounded up to 8 (in wrapping arithmetic, as
    // HDF5's size_t); the free-space object takes exactly its size.
    const std::uint64_t need = index > 0 ? object_header + (object_size + 7) / 8 * 8 : object_size;
    if (need == 0 || need > end - p) return {false, p - at, object_size};
    p += need;
  }
  return {};
}

void check_bytes(Path path, const FileBytes& file) {
  const unsigned width = length_width(file);
  if (width == 0) return;
  const std::string_view all(reinterpret_cast<const char*>(file.data()), file.size());
  for (std::size_t at = all.find("GCOL"); at != std::string_view::npos; at = all.find("GCOL", at + 1)) {
    const Walk found = walk(file, at, width);
    if (found.sound) continue;
    const std::string where = path + ": damaged: the global heap collection at byte " + std::to_string(at);
    if (found.object_size == 0)
      throw OutputError(where + " has a free-space object of size 0, on which the HDF5 library would loop for ever");
    throw OutputError(where + " has an object (at its byte " + std::to_string(found.object_at) + ") of size " +
                      std::to_string(found.object_size) +
                      ", past the collection's end, on which the HDF5 library would loop for ever or read outside "
                      "the collection");
  }
}

// Files already found sound, by device, inode, size and modification time: `merge` and
// `--resume` open a file once per run.
using FileKey = std::tuple<dev_t, ino_t, off_t, std::int64_t, long>;
std::mutex g_mutex;
std::set<FileKey> g_checked;

}  // namespace

void check_global_heaps(Path path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;  // opening it with HDF5 then gives the message
  struct stat info {};
  if (::fstat(fd, &info) != 0 || info.st_size <= 0) {
    ::close(fd);
    return;
  }
  const FileKey key{info.st_dev, info.st_ino, info.st_size, info.st_mtim.tv_sec, info.st_mtim.tv_nsec};
  {
    const std::lock_guard lock(g_mutex);
    if (g_checked.count(key)) {
      ::close(fd);
      return;
    }
  }
  const auto size = static_cast<std::size_t>(info.st_size);
  void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (mapped == MAP_FAILED) return;  // unusual (e.g. a pipe); HDF5 reads it as before
  try {
    check_bytes(path, FileBytes(static_cast<const unsigned char*>(mapped), size));
  } catch (...) {
    ::munmap(mapped, size);
    throw;
  }
  ::munmap(mapped, size);
  const std::lock_guard lock(g_mutex);
  g_checked.insert(key);
}

}  // namespace xsector::hdf5
