// Opening results files: the access properties of writers, read-only opens that work while
// a writer is active or after it was killed, and the format check.
#include "output/file_access.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "core/errors.hpp"
#include "output/global_heaps.hpp"
#include "output/hdf5_reading.hpp"
#include "output/results_file.hpp"

namespace xsector::hdf5 {
namespace {

// Metadata read attempts of a SWMR reader (see open_read_only).
constexpr unsigned kSwmrReadAttempts = 24;

// Clear messages for the usual ways a path is not a readable results file.
void check_is_hdf5(Path path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw OutputError(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) throw OutputError(path + ": is a folder, not a results file");
  const htri_t hdf5 = H5Fis_hdf5(path.c_str());
  if (hdf5 == 0) throw OutputError(path + ": not an HDF5 file (not an xsector results file)");
  if (hdf5 < 0) fail(path, "cannot read the file");
}

// Read-only open: HDF5's file lock off (HDF5 refuses to open one file twice in a process
// with different lock settings, and our writers hold their own lock).
hid_t open_read_only(Path path, WriterMark mark) {
  Handle fapl = plist(path, H5P_FILE_ACCESS);
  ok(H5Pset_file_locking(fapl.get(), false, true), path, "configure file locking");
  unsigned flags = H5F_ACC_RDONLY;
  if (mark == WriterMark::swmr_writer) {
    // A live SWMR writer, or a killed one: SWMR read. It re-reads metadata whose checksum
    // fails, sleeping 1 ns, 2 ns, 4 ns, ... between attempts; HDF5's default of 100
    // attempts waits for ever on a damaged block (seen with a half-written chunk index,
    // before the metrics were made uncompressed). 24 attempts retry for about 17 ms,
    // plenty for a live writer's write in progress, then fail with an error.
    flags |= H5F_ACC_SWMR_READ;
    ok(H5Pset_metadata_read_attempts(fapl.get(), kSwmrReadAttempts), path, "configure SWMR reading");
  } else if (mark == WriterMark::plain_writer) {
    // A writer killed outside SWMR mode (in write_snapshot): read the file as it is,
    // ignoring the mark and the end-of-file address, which may lag behind, in memory only
    // (`h5clear` semantics without writing anything).
    hbool_t yes = true;
    ok(H5Pset(fapl.get(), "clear_status_flags", &yes), path, "prepare to read an interrupted file");
    ok(H5Pset(fapl.get(), "skip_eof_check", &yes), path, "prepare to read an interrupted file");
  }
  return H5Fopen(path.c_str(), flags, fapl.get());
}

}  // namespace

// File access for writers: the on-disk format of HDF5 1.10 (needed for SWMR and readable
// by every HDF5 from 1.10 on), HDF5's own file lock off (we hold ours, see WriterLock).
// The metadata read attempts apply to SWMR-write opens too (open_existing): with HDF5's
// default of 100 and its exponential back-off, a damaged object header made
// `sweep --resume` sleep for ever (fuzz finding F2); with 24 it fails in milliseconds.
// (Ignored for non-SWMR opens, so it is safe to set always.)
// No raw-data chunk cache: a writer writes each run's chunks once and never reads them,
// and with HDF5's default cache (1 MiB per dataset) every flush walked the cached chunks
// of all 30 metrics: 0.75 ms of the 0.9 ms a run cost the writer, so a sweep of short runs
// on 16 cores was limited by its writer (docs/PERFORMANCE.md, change 21). Without the
// cache each H5Dwrite goes to the file at once, still before the flush that precedes the
// done flag, so a run's data is still in the file before its flag (crash safety in
// results_writer.cpp).
Handle writer_access(Path path, bool clear_crash_mark) {
  Handle fapl = plist(path, H5P_FILE_ACCESS);
  ok(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110), path, "select the file format");
  ok(H5Pset_file_locking(fapl.get(), false, true), path, "configure file locking");
  ok(H5Pset_metadata_read_attempts(fapl.get(), kSwmrReadAttempts), path, "configure SWMR reading");
  ok(H5Pset_cache(fapl.get(), 0, 0, 0, 0.75), path, "switch off the chunk cache");
  if (clear_crash_mark) {
    // What `h5clear -s --increment=0` does, through the private properties it uses: reset
    // the superblock's "open for writing" flags that a killed writer leaves behind, and
    // open although the end-of-file address stored in the superblock may lag behind the
    // objects the writer had written (see repair_end_of_file).
    hbool_t yes = true;
    ok(H5Pset(fapl.get(), "clear_status_flags", &yes), path, "prepare to clear the writer mark");
    ok(H5Pset(fapl.get(), "skip_eof_check", &yes), path, "prepare to repair the end of file");
  }
  return fapl;
}

Handle open_for_writing(Path path, bool clear_crash_mark, bool swmr) {
  const Handle fapl = writer_access(path, clear_crash_mark);
  const unsigned flags = H5F_ACC_RDWR | (swmr ? H5F_ACC_SWMR_WRITE : 0u);
  return {ok(H5Fopen(path.c_str(), flags, fapl.get()), path, "cannot open the results file for writing"), H5Fclose};
}

void repair_end_of_file(Path path, hid_t file) {
  ok(H5Fincrement_filesize(file, 0), path, "cannot repair the end-of-file address");
}

WriterMark writer_mark(Path path) {
  constexpr unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  constexpr unsigned char kWriteAccess = 0x01, kSwmrWriteAccess = 0x04;  // H5Fsuper.c
  unsigned char head[12] = {0};
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return WriterMark::unknown;
  const ssize_t got = ::pread(fd, head, sizeof head, 0);
  ::close(fd);
  if (got != static_cast<ssize_t>(sizeof head) || std::memcmp(head, kSignature, 8) != 0 || head[8] < 2)
    return WriterMark::unknown;  // a user block, or an old superblock without the mark
  const unsigned char flags = head[11];
  if (flags & kSwmrWriteAccess) return WriterMark::swmr_writer;
  if (flags & kWriteAccess) return WriterMark::plain_writer;
  return WriterMark::none;
}

Handle open_for_reading(Path path) {
  silence_hdf5();
  check_is_hdf5(path);
  const hid_t id = open_read_only(path, writer_mark(path));
  if (id < 0) fail(path, "cannot open the HDF5 file; it is damaged or incomplete");
  Handle file{id, H5Fclose};
  // Opening reads no heap; the first string read would (and a truncated file, refused
  // above, keeps its own message).
  check_global_heaps(path);
  return file;
}

void check_format(Path path, hid_t file) {
  if (!has_attribute(file, "format_version"))
    throw OutputError(path + ": an HDF5 file but not an xsector results file (no format_version attribute)");
  const std::int64_t version = read_int_attribute(path, file, "format_version");
  if (version > kFormatVersion)
    throw OutputError(path + ": written in results format version " + std::to_string(version) +
                      " by a newer xsector; this xsector reads up to version " + std::to_string(kFormatVersion));
  if (version < 1) throw OutputError(path + ": invalid format_version " + std::to_string(version));
}

}  // namespace xsector::hdf5
