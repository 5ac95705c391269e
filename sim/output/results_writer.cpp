// ResultsWriter: creates a results file complete under a staging name and publishes it,
// writes runs and the snapshot into it, and finishes it, so that a kill loses no finished run.
#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "output/crash_guard.hpp"
#include "output/file_access.hpp"
#include "output/hdf5_handles.hpp"
#include "output/hdf5_reading.hpp"
#include "output/hdf5_writing.hpp"
#include "output/layout.hpp"
#include "output/results_file.hpp"
#include "output/snapshot.hpp"
#include "output/writer_lock.hpp"

// Crash safety (a sweep killed with SIGKILL at any moment keeps every finished run):
//  * create() builds the whole layout under a staging name and links it to the real name
//    only when complete: every dataset and attribute, every coordinate, and every chunk
//    of every metric, allocated and NaN-filled. After that, writing a run only writes raw
//    data into space that already exists: the file's metadata (object headers, B-trees,
//    the superblock) never changes while runs are written, so a kill cannot damage it.
//    That is why the metrics are not compressed: a compressed chunk's size is known only
//    when it is written, so HDF5 must then update the chunk index in place, and SIGKILL
//    can stop a write() between two memory pages. The kill test caught exactly that: an
//    index block left half new, half old, with a bad checksum, and the metric unreadable
//    for every run. (SWMR orders HDF5's writes but does not make them atomic.)
//  * write_run writes the run's series and wall time, flushes, and only then sets
//    done[run] = 1 and flushes again: `done` is never 1 for a run whose data is not in
//    the file. A run killed half-way reads done = 0 and is simply written again.
//  * The file is in SWMR ("single writer, multiple readers") mode from the moment it
//    appears under its name until it is closed (end_time too is written in SWMR mode), so
//    that HDF5 orders its writes and readers (xsector's, h5py's `swmr=True`) can open it
//    meanwhile, or after a kill, which leaves HDF5's "being written" mark in the
//    superblock. open_existing clears that mark as `h5clear -s` does, after taking the
//    writer lock that proves no writer is alive. Only write_snapshot leaves SWMR mode.
//  * finish() rewrites end_time, whose string goes to a new heap object; a kill inside
//    finish() can leave the attribute pointing past the end-of-file address the superblock
//    has so far, so readers take an unreadable end_time of a killed writer's file as ""
//    (unfinished; read_end_time in results_reader.cpp) and open_existing repairs the
//    address.
//  * The writer holds an advisory lock (an open file description lock) on the file for
//    its lifetime, so that a second writer (a second `--resume`) is refused rather than
//    interleaved. HDF5's own lock is turned off for writers: HDF5 drops it on entering
//    SWMR mode anyway, and re-taking it in finish() would fail if a reader had the file.
// tests/test_output.cpp kills a writer at random moments and checks all of this.

namespace xsector {
using namespace hdf5;

namespace {

// Creates the file (at `staging`; messages name `path`) with link creation order tracked,
// so that datasets list (in h5py, xarray and `info`) in the order of docs/OUTPUT.md
// rather than alphabetically.
Handle create_file(Path path, const std::string& staging) {
  const Handle fcpl = plist(path, H5P_FILE_CREATE);
  ok(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), path,
     "configure the file");
  const Handle fapl = writer_access(path, false);
  // The writer lock created the (empty) file exclusively just before; TRUNC takes it over.
  return {ok(H5Fcreate(staging.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), path,
             "cannot create the results file"),
          H5Fclose};
}

// Moves the complete staging file to `path`, refusing to replace a file that appeared
// meanwhile: link() fails if `path` exists, where rename() would silently replace it.
void publish(const std::string& staging, Path path) {
  if (::link(staging.c_str(), path.c_str()) == 0) {
    ::unlink(staging.c_str());
    return;
  }
  const int err = errno;
  if (err == EEXIST) throw OutputError(path + ": already exists");
  // File systems without hard links: rename, having checked for `path` just before.
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) throw OutputError(path + ": already exists");
  std::filesystem::rename(staging, path, ec);
  if (ec) throw OutputError(path + ": cannot move " + staging + " into place: " + ec.message());
}

}  // namespace

struct ResultsWriter::Impl {
  std::string path;
  WriterLock lock;  // declared before the file so it is released after the file closes
  Handle file;
  std::array<Handle, kMetricCount> metrics;
  Handle done, wall_time;
  std::size_t runs = 0, ticks = 0;
  bool finished = false;
  bool failed = false;  // a write failed: the file was abandoned (see abandon)

  void open_datasets() {
    for (int m = 0; m < kMetricCount; ++m) metrics[m] = open_metric(path, file.get(), kMetrics[m], runs, ticks);
    done = open_dataset(path, file.get(), kDone);
    wall_time = open_dataset(path, file.get(), kWallTime);
  }

  // Closes everything without reporting errors (cleanup after a failure).
  void discard() {
    for (auto& metric : metrics) metric.reset();
    done.reset();
    wall_time.reset();
    file.reset();
  }

  // After a failed write (a full disk), closing the file normally would still write the
  // superblock, with an end-of-file address past the data that could not be written, and
  // every later open would find the file "truncated". So the file is cut off from the
  // disk before its handles close: it stays exactly as a killed writer leaves it, which
  // the readers and open_existing handle. (HDF5's descriptor is replaced by a read-only
  // one of /dev/null rather than closed, so its number cannot go to another file.)
  void abandon() noexcept {
    void* handle = nullptr;
    if (file && H5Fget_vfd_handle(file.get(), H5P_DEFAULT, &handle) >= 0 && handle) {
      const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (null_fd >= 0) {
        ::dup3(null_fd, *static_cast<int*>(handle), O_CLOEXEC);
        ::close(null_fd);
      }
    }
    discard();
    H5Eclear2(H5E_DEFAULT);
    failed = true;
  }

  void check_usable(const char* operation) const {
    if (failed) throw OutputError(path + ": " + operation + " after an earlier write failed; resume the sweep");
    if (finished) throw OutputError(path + ": " + operation + " after finish");
  }

  // Runs one step that writes to the file; abandons the file if it throws.
  template <class F>
  void writing(F&& step) {
    try {
      step();
    } catch (...) {
      abandon();
      throw;
    }
  }

  // Closes every handle and the file; throws if the file's final flush fails.
  void close_all() {
    for (auto& metric : metrics) metric.reset();
    done.reset();
    wall_time.reset();
    if (!file.close()) fail(path, "cannot close the results file");
  }

  // Reopens the file, in SWMR mode or not (objects and attributes can only be created
  // outside SWMR mode; write_snapshot needs that, for a moment without write ordering:
  // it serves `xsector run`, whose file is a temporary one until committed).
  void reopen(bool swmr) {
    close_all();
    file = open_for_writing(path, false, swmr);
    if (swmr) open_datasets();
  }

  void flush() { ok(H5Fflush(file.get(), H5F_SCOPE_LOCAL), path, "cannot flush the results file"); }

  void write_element(const Handle& dataset, std::size_t index, hid_t mem_type, const void* value, const char* name) {
    const Handle space{ok(H5Dget_space(dataset.get()), path, "get the shape of '" + std::string(name) + "'"),
                       H5Sclose};
    const hsize_t start = index, count = 1;
    ok(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr), path, "select a run");
    const Handle memory = file_space(path, 1, &count);
    ok(H5Dwrite(dataset.get(), mem_type, memory.get(), space.get(), H5P_DEFAULT, value), path,
       "write dataset '" + std::string(name) + "'");
  }

  void write_metric(int m, std::size_t run, const std::vector<double>& values) {
    const auto& dataset = metrics[m];
    const std::string name(kMetrics[m].name);
    const Handle space{ok(H5Dget_space(dataset.get()), path, "get the shape of '" + name + "'"), H5Sclose};
    const int rank = H5Sget_simple_extent_ndims(space.get());
    const hsize_t start[3] = {run, 0, 0};
    const hsize_t count[3] = {1, ticks, static_cast<hsize_t>(width_of(kMetrics[m].shape))};
    ok(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), path, "select a run");
    const Handle memory = file_space(path, static_cast<std::size_t>(rank), count);
    ok(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, memory.get(), space.get(), H5P_DEFAULT, values.data()), path,
       "write dataset '" + name + "' for run " + std::to_string(run));
  }
};

ResultsWriter::ResultsWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultsWriter::ResultsWriter(ResultsWriter&&) noexcept = default;
ResultsWriter& ResultsWriter::operator=(ResultsWriter&&) noexcept = default;

ResultsWriter::~ResultsWriter() {
  // Closing a SWMR file clears its "open for writing" mark: an interrupted but not killed
  // writer leaves a file every reader opens. Errors cannot be reported from here.
  if (impl_) impl_->discard();
}

ResultsWriter ResultsWriter::create(const std::string& path, const FileHeader& header) {
  silence_hdf5();
  validate_header(path, header);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) throw OutputError(path + ": already exists");
  // The layout is built under a staging name and published complete, so that a writer
  // killed while creating leaves no file at `path` (only a stale staging file).
  const std::string staging = path + ".creating-" + std::to_string(::getpid());
  std::filesystem::remove(staging, ec);  // left by a dead process that had our pid
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->runs = header.runs.size();
  impl->ticks = static_cast<std::size_t>(header.ticks);
  impl->lock = WriterLock::acquire(path, staging, true);  // follows the file through the rename
  bool published = false;
  try {
    impl->file = create_file(path, staging);
    create_layout(path, impl->file.get(), header);
    // Everything exists; from here on HDF5 keeps the file readable at every moment (and
    // the file only ever appears under `path` in that state).
    ok(H5Fstart_swmr_write(impl->file.get()), path, "cannot start SWMR writing");
    publish(staging, path);
    published = true;
    impl->open_datasets();
  } catch (...) {
    impl->discard();
    std::filesystem::remove(published ? path : staging, ec);
    throw;
  }
  return ResultsWriter(std::move(impl));
}

bool left_by_killed_writer(const std::string& path) {
  const WriterMark mark = writer_mark(path);
  return mark != WriterMark::none && mark != WriterMark::unknown && !being_written_by_another_process(path);
}

void repair_file(const std::string& path) {
  if (being_written_by_another_process(path))
    throw OutputError(path + ": is being written by a live xsector process; repair it after that process ends");
  ResultsWriter writer = ResultsWriter::open_existing(path);  // clears the mark; closing keeps it cleared
}

ResultsWriter ResultsWriter::open_existing(const std::string& path) {
  silence_hdf5();
  const Hdf5CrashGuard guard(path);  // reading the existing file: libhdf5 may crash on damage
  // Read-only first, for the clear messages of open_for_reading and check_format.
  check_format(path, open_for_reading(path).get());
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  // The lock proves no live writer has the file, so a leftover "open for writing" mark can
  // only come from a killed one, and is cleared.
  impl->lock = WriterLock::acquire(path, path, false);
  impl->file = open_for_writing(path, true, true);
  repair_end_of_file(path, impl->file.get());
  impl->runs = dimension_length(path, impl->file.get(), kRunDim);
  impl->ticks = dimension_length(path, impl->file.get(), kTickDim);
  impl->open_datasets();
  return ResultsWriter(std::move(impl));
}

void ResultsWriter::write_run(std::size_t run, const RunSeries& series, double wall_seconds) {
  silence_hdf5();
  Impl& writer = *impl_;
  writer.check_usable("write_run");
  if (run >= writer.runs)
    throw OutputError(writer.path + ": run " + std::to_string(run) + " is outside 0.." +
                      std::to_string(writer.runs - 1));
  if (series.ticks != writer.ticks)
    throw OutputError(writer.path + ": run " + std::to_string(run) + " has " + std::to_string(series.ticks) +
                      " ticks, the file " + std::to_string(writer.ticks));
  for (int m = 0; m < kMetricCount; ++m)
    if (series.values[m].size() != writer.ticks * static_cast<std::size_t>(width_of(kMetrics[m].shape)))
      throw OutputError(writer.path + ": metric " + std::string(kMetrics[m].name) +
                        " has the wrong number of values");

  writer.writing([&] {
    for (int m = 0; m < kMetricCount; ++m) writer.write_metric(m, run, series.values[m]);
    writer.write_element(writer.wall_time, run, H5T_NATIVE_DOUBLE, &wall_seconds, kWallTime);
    // The series must be on disk before the flag that says so: two flushes, because HDF5
    // does not order the writes within one flush.
    writer.flush();
    const std::uint8_t one = 1;
    writer.write_element(writer.done, run, H5T_NATIVE_UINT8, &one, kDone);
    writer.flush();
  });
}

void ResultsWriter::write_snapshot(const AgentSnapshot& snapshot) {
  silence_hdf5();
  Impl& writer = *impl_;
  writer.check_usable("write_snapshot");
  writer.writing([&] {
    writer.reopen(false);
    write_snapshot_group(writer.path, writer.file.get(), snapshot);
    writer.reopen(true);
  });
}

void ResultsWriter::finish(const std::string& end_time) {
  silence_hdf5();
  Impl& writer = *impl_;
  if (writer.finished) return;
  writer.check_usable("finish");
  // Written in SWMR mode, which HDF5 allows for an existing attribute: leaving SWMR mode
  // would expose the file, for a moment, to a kill with no write ordering at all.
  writer.writing([&] {
    write_string_attribute(writer.path, writer.file.get(), "end_time", end_time);
    writer.close_all();
  });
  writer.lock.release();
  writer.finished = true;
}

}  // namespace xsector
