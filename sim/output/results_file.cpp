// The HDF5 results file of docs/OUTPUT.md, written with the HDF5 C API and the hdf5_hl
// dimension scales (so that xarray sees named dimensions).
//
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
//    (unfinished; read_end_time) and open_existing repairs the address.
//  * The writer holds an advisory lock (an open file description lock) on the file for
//    its lifetime, so that a second writer (a second `--resume`) is refused rather than
//    interleaved. HDF5's own lock is turned off for writers: HDF5 drops it on entering
//    SWMR mode anyway, and re-taking it in finish() would fail if a reader had the file.
// tests/test_output.cpp kills a writer at random moments and checks all of this.
#include "output/results_file.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>
#include <utility>

#include "core/errors.hpp"
#include "output/crash_guard.hpp"

namespace xsector {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Dataset names of docs/OUTPUT.md.
constexpr const char* kRunDim = "run";
constexpr const char* kTickDim = "tick";
constexpr const char* kSectorDim = "sector";
constexpr const char* kStageDim = "stage";
constexpr const char* kYear = "year";
constexpr const char* kPoint = "point";
constexpr const char* kReplicate = "replicate";
constexpr const char* kSeed = "seed";
constexpr const char* kDone = "done";
constexpr const char* kWallTime = "wall_time";
constexpr const char* kSnapshotGroup = "snapshot";
constexpr const char* kAgentDim = "agent";

// Metadata read attempts of a SWMR reader (see open_read_only).
constexpr unsigned kSwmrReadAttempts = 24;

// A read larger than this comes from a damaged file, not from a simulation.
constexpr std::uint64_t kMaxReadBytes = std::uint64_t{1} << 34;

// ------------------------------------------------------------------------------------
// Errors and handles

// HDF5 prints its error stack to stderr by default; we turn that off and build an
// OutputError from the stack instead. Called at every entry point because the setting is
// per thread in thread-safe builds of HDF5.
void silence_hdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

herr_t collect_error(unsigned, const H5E_error2_t* error, void* out) {
  if (error->desc && *error->desc) static_cast<std::vector<std::string>*>(out)->push_back(error->desc);
  return 0;
}

// A failed system call is reported by HDF5 as one long line (time, descriptor, buffer
// address, ...); its "error message = '...'" part (e.g. 'No space left on device') is
// what a user needs.
std::string condense(const std::string& message) {
  const std::string marker = "error message = '";
  const auto begin = message.find(marker);
  if (begin == std::string::npos) return message;
  const auto end = message.find('\'', begin + marker.size());
  return message.substr(begin + marker.size(), end == std::string::npos ? std::string::npos : end - begin - marker.size());
}

// "outermost message: innermost message" from HDF5's error stack, which is then cleared.
std::string hdf5_error_detail() {
  std::vector<std::string> messages;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &messages);
  H5Eclear2(H5E_DEFAULT);
  for (auto& m : messages) m = condense(m);
  if (messages.empty()) return {};
  if (messages.size() == 1 || messages.front() == messages.back()) return messages.front();
  return messages.front() + ": " + messages.back();
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  const std::string detail = hdf5_error_detail();
  throw OutputError(path + ": " + what + (detail.empty() ? "" : " (HDF5: " + detail + ")"));
}

// Throws unless an HDF5 call succeeded (ids and herr_t are negative on failure).
template <class Id>
Id ok(Id result, const std::string& path, const std::string& what) {
  if (result < 0) fail(path, what);
  return result;
}

// Owns one HDF5 identifier and closes it with the function for its kind.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer close) : id_(id), close_(close) {}
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, -1)), close_(other.close_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, -1);
      close_ = other.close_;
    }
    return *this;
  }
  ~Handle() { reset(); }
  void reset() {
    if (id_ >= 0 && close_) close_(id_);
    id_ = -1;
  }
  // Closes now and reports whether closing succeeded (a file's last flush happens here).
  bool close() {
    const bool good = id_ < 0 || !close_ || close_(id_) >= 0;
    id_ = -1;
    return good;
  }
  hid_t get() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
  Closer close_ = nullptr;
};

// Every helper below takes the path for its error messages.
using Path = const std::string&;

Handle file_space(Path path, std::size_t rank, const hsize_t* dims) {
  return {ok(H5Screate_simple(static_cast<int>(rank), dims, nullptr), path, "create a dataspace"), H5Sclose};
}

Handle scalar_space(Path path) { return {ok(H5Screate(H5S_SCALAR), path, "create a dataspace"), H5Sclose}; }

Handle plist(Path path, hid_t cls) { return {ok(H5Pcreate(cls), path, "create a property list"), H5Pclose}; }

// Variable-length UTF-8 strings: h5py and xarray read them as str (fixed-length ones come
// back as bytes).
Handle vlen_string_type(Path path) {
  Handle type{ok(H5Tcopy(H5T_C_S1), path, "copy the string type"), H5Tclose};
  ok(H5Tset_size(type.get(), H5T_VARIABLE), path, "make a variable-length string type");
  ok(H5Tset_cset(type.get(), H5T_CSET_UTF8), path, "make a UTF-8 string type");
  return type;
}

Handle open_dataset(Path path, hid_t loc, const std::string& name) {
  if (H5Lexists(loc, name.c_str(), H5P_DEFAULT) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw OutputError(path + ": dataset '" + name + "' is missing");
  }
  return {ok(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), path, "open dataset '" + name + "'"), H5Dclose};
}

bool has_attribute(hid_t obj, const char* name) {
  const htri_t exists = H5Aexists(obj, name);
  if (exists < 0) H5Eclear2(H5E_DEFAULT);
  return exists > 0;
}

// ------------------------------------------------------------------------------------
// Writing attributes and datasets

void write_attribute(Path path, hid_t obj, const char* name, hid_t file_type, hid_t space, hid_t mem_type,
                     const void* data) {
  const std::string what = std::string("write attribute '") + name + "'";
  Handle attr;
  if (has_attribute(obj, name))
    attr = Handle{ok(H5Aopen(obj, name, H5P_DEFAULT), path, what), H5Aclose};
  else
    attr = Handle{ok(H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT), path, what), H5Aclose};
  if (data) ok(H5Awrite(attr.get(), mem_type, data), path, what);  // null: an empty array
}

void write_string_attribute(Path path, hid_t obj, const char* name, const std::string& value) {
  const Handle type = vlen_string_type(path);
  const Handle space = scalar_space(path);
  const char* text = value.c_str();
  write_attribute(path, obj, name, type.get(), space.get(), type.get(), &text);
}

// A 1-D array of strings (possibly empty: a zero-length array, which h5py reads as such).
void write_strings_attribute(Path path, hid_t obj, const char* name, const std::vector<std::string>& values) {
  const Handle type = vlen_string_type(path);
  const hsize_t n = values.size();
  const Handle space = file_space(path, 1, &n);
  std::vector<const char*> texts;
  for (const auto& v : values) texts.push_back(v.c_str());
  write_attribute(path, obj, name, type.get(), space.get(), type.get(), texts.empty() ? nullptr : texts.data());
}

void write_int_attribute(Path path, hid_t obj, const char* name, std::int64_t value, hid_t file_type) {
  const Handle space = scalar_space(path);
  write_attribute(path, obj, name, file_type, space.get(), H5T_NATIVE_INT64, &value);
}

Handle create_dataset(Path path, hid_t loc, const std::string& name, hid_t file_type,
                      const std::vector<hsize_t>& dims, hid_t dcpl = H5P_DEFAULT) {
  const Handle space = file_space(path, dims.size(), dims.data());
  return {ok(H5Dcreate2(loc, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl, H5P_DEFAULT), path,
             "create dataset '" + name + "'"),
          H5Dclose};
}

void write_whole(Path path, hid_t dataset, hid_t mem_type, const void* data, const std::string& name) {
  ok(H5Dwrite(dataset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), path, "write dataset '" + name + "'");
}

// A 1-D dataset created and filled at once.
template <class T>
Handle make_1d(Path path, hid_t loc, const std::string& name, hid_t file_type, hid_t mem_type,
               const std::vector<T>& values) {
  Handle ds = create_dataset(path, loc, name, file_type, {values.size()});
  if (!values.empty()) write_whole(path, ds.get(), mem_type, values.data(), name);
  return ds;
}

Handle make_string_1d(Path path, hid_t loc, const std::string& name, const std::vector<std::string>& values) {
  const Handle type = vlen_string_type(path);
  std::vector<const char*> texts;
  for (const auto& v : values) texts.push_back(v.c_str());
  Handle ds = create_dataset(path, loc, name, type.get(), {values.size()});
  if (!texts.empty()) write_whole(path, ds.get(), type.get(), texts.data(), name);
  return ds;
}

void make_scale(Path path, const Handle& ds, const char* name) {
  ok(H5DSset_scale(ds.get(), name), path, std::string("make '") + name + "' a dimension scale");
}

// Attaches one scale per axis, so that xarray (h5netcdf) names every dimension.
void attach_scales(Path path, const Handle& ds, const std::vector<const Handle*>& scales) {
  for (unsigned axis = 0; axis < scales.size(); ++axis)
    ok(H5DSattach_scale(ds.get(), scales[axis]->get(), axis), path, "attach a dimension scale");
}

void describe(Path path, const Handle& ds, std::string_view units, std::string_view long_name) {
  if (!units.empty()) write_string_attribute(path, ds.get(), "units", std::string(units));
  write_string_attribute(path, ds.get(), "long_name", std::string(long_name));
}

// ------------------------------------------------------------------------------------
// Reading

// A dataset or an attribute: the two differ only in how they are read.
struct Source {
  hid_t id;
  bool attribute;
  std::string label;  // for messages
};

Handle type_of(Path path, const Source& s) {
  return {ok(s.attribute ? H5Aget_type(s.id) : H5Dget_type(s.id), path, "get the type of " + s.label), H5Tclose};
}

Handle space_of(Path path, const Source& s) {
  return {ok(s.attribute ? H5Aget_space(s.id) : H5Dget_space(s.id), path, "get the shape of " + s.label),
          H5Sclose};
}

std::vector<hsize_t> dims_of(Path path, const Source& s) {
  const Handle space = space_of(path, s);
  const int rank = ok(H5Sget_simple_extent_ndims(space.get()), path, "get the shape of " + s.label);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) ok(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), path, "get the shape of " + s.label);
  return dims;
}

// Number of elements, refusing sizes only a damaged file can claim.
std::size_t element_count(Path path, const Source& s, std::size_t element_size) {
  const Handle space = space_of(path, s);
  const hssize_t n = ok(H5Sget_simple_extent_npoints(space.get()), path, "get the size of " + s.label);
  if (static_cast<std::uint64_t>(n) > kMaxReadBytes / std::max<std::size_t>(element_size, 1))
    throw OutputError(path + ": " + s.label + " claims " + std::to_string(n) + " elements; the file is damaged");
  return static_cast<std::size_t>(n);
}

herr_t read_into(const Source& s, hid_t mem_type, void* buffer) {
  return s.attribute ? H5Aread(s.id, mem_type, buffer) : H5Dread(s.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
}

// Every string of a string dataset or attribute, variable- or fixed-length.
std::vector<std::string> read_strings(Path path, const Source& s) {
  const Handle file_type = type_of(path, s);
  if (H5Tget_class(file_type.get()) != H5T_STRING) throw OutputError(path + ": " + s.label + " is not a string");
  const htri_t variable = ok(H5Tis_variable_str(file_type.get()), path, "inspect the type of " + s.label);
  const H5T_cset_t cset = H5Tget_cset(file_type.get());
  Handle mem_type{ok(H5Tcopy(H5T_C_S1), path, "copy the string type"), H5Tclose};
  if (cset >= 0) H5Tset_cset(mem_type.get(), cset);
  std::vector<std::string> out;
  if (variable) {
    ok(H5Tset_size(mem_type.get(), H5T_VARIABLE), path, "make a string type");
    std::vector<char*> texts(element_count(path, s, sizeof(char*)), nullptr);
    if (texts.empty()) return out;
    ok(read_into(s, mem_type.get(), texts.data()), path, "read " + s.label);
    for (char* t : texts) {
      out.emplace_back(t ? t : "");
      if (t) H5free_memory(t);
    }
  } else {
    const std::size_t size = H5Tget_size(file_type.get());
    if (size == 0) throw OutputError(path + ": " + s.label + " has a zero-size string type");
    ok(H5Tset_size(mem_type.get(), size), path, "make a string type");
    ok(H5Tset_strpad(mem_type.get(), H5T_STR_NULLPAD), path, "make a string type");
    const std::size_t n = element_count(path, s, size);
    std::vector<char> buffer(n * size);
    if (n == 0) return out;
    ok(read_into(s, mem_type.get(), buffer.data()), path, "read " + s.label);
    for (std::size_t i = 0; i < n; ++i) {
      const char* begin = buffer.data() + i * size;
      out.emplace_back(begin, strnlen(begin, size));
    }
  }
  return out;
}

// Every number of a numeric dataset or attribute, converted by HDF5 to `mem_type`.
template <class T>
std::vector<T> read_numbers(Path path, const Source& s, hid_t mem_type) {
  const Handle file_type = type_of(path, s);
  const H5T_class_t cls = H5Tget_class(file_type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) throw OutputError(path + ": " + s.label + " is not numeric");
  std::vector<T> out(element_count(path, s, sizeof(T)));
  if (!out.empty()) ok(read_into(s, mem_type, out.data()), path, "read " + s.label);
  return out;
}

Handle open_attribute(Path path, hid_t obj, const char* name, const std::string& owner) {
  if (!has_attribute(obj, name)) throw OutputError(path + ": attribute '" + name + "' of " + owner + " is missing");
  return {ok(H5Aopen(obj, name, H5P_DEFAULT), path, std::string("open attribute '") + name + "'"), H5Aclose};
}

std::string read_string_attribute(Path path, hid_t obj, const char* name, const std::string& owner = "the file") {
  const Handle attr = open_attribute(path, obj, name, owner);
  auto values = read_strings(path, {attr.get(), true, std::string("attribute '") + name + "'"});
  if (values.size() != 1) throw OutputError(path + ": attribute '" + name + "' is not a single string");
  return values.front();
}

// Empty when the attribute is absent (optional descriptive attributes).
std::string read_optional_string_attribute(Path path, hid_t obj, const char* name) {
  return has_attribute(obj, name) ? read_string_attribute(path, obj, name) : std::string();
}

std::vector<std::string> read_strings_attribute(Path path, hid_t obj, const char* name) {
  const Handle attr = open_attribute(path, obj, name, "the file");
  return read_strings(path, {attr.get(), true, std::string("attribute '") + name + "'"});
}

std::int64_t read_int_attribute(Path path, hid_t obj, const char* name) {
  const Handle attr = open_attribute(path, obj, name, "the file");
  auto values = read_numbers<std::int64_t>(path, {attr.get(), true, std::string("attribute '") + name + "'"},
                                           H5T_NATIVE_INT64);
  if (values.size() != 1) throw OutputError(path + ": attribute '" + name + "' is not a single number");
  return values.front();
}

// A whole 1-D dataset that must have `length` elements.
template <class T>
std::vector<T> read_1d(Path path, hid_t loc, const std::string& name, hid_t mem_type, std::size_t length) {
  const Handle ds = open_dataset(path, loc, name);
  const Source s{ds.get(), false, "dataset '" + name + "'"};
  const auto dims = dims_of(path, s);
  if (dims.size() != 1 || dims[0] != length)
    throw OutputError(path + ": dataset '" + name + "' should have " + std::to_string(length) + " elements");
  return read_numbers<T>(path, s, mem_type);
}

std::size_t dimension_length(Path path, hid_t file, const char* name) {
  const Handle ds = open_dataset(path, file, name);
  const auto dims = dims_of(path, {ds.get(), false, std::string("dataset '") + name + "'"});
  if (dims.size() != 1) throw OutputError(path + ": dimension '" + std::string(name) + "' is not one-dimensional");
  return static_cast<std::size_t>(dims[0]);
}

// ------------------------------------------------------------------------------------
// Opening files

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
// done flag, so a run's data is still in the file before its flag (crash safety above).
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

// A writer stores the end-of-file address (EOA) in the superblock only when it flushes,
// while objects it allocates are written past it. Writing runs allocates nothing, but
// write_snapshot does: a writer killed there leaves objects past the stored EOA, and
// writing them again fails ("addr overflow"). SWMR readers allow for this; a writer taking
// over moves the EOA to the real end of the file, which covers everything written.
void repair_end_of_file(Path path, hid_t file) {
  ok(H5Fincrement_filesize(file, 0), path, "cannot repair the end-of-file address");
}

// Clear messages for the usual ways a path is not a readable results file.
void check_is_hdf5(Path path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw OutputError(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) throw OutputError(path + ": is a folder, not a results file");
  const htri_t hdf5 = H5Fis_hdf5(path.c_str());
  if (hdf5 == 0) throw OutputError(path + ": not an HDF5 file (not an xsector results file)");
  if (hdf5 < 0) fail(path, "cannot read the file");
}

// The "open for writing" mark of a superblock (version 2 or later, at the start of the
// file), read directly: it tells a finished file from one a writer has open or was killed
// with, before choosing how to open it.
enum class WriterMark { none, swmr_writer, plain_writer, unknown };

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

// Read-only open of a finished file, of one a writer has open, or of one left by a killed
// writer (see open_read_only). A finished file that fails to open (a truncated copy) is
// reported as damaged, never read with the end-of-file check off.
Handle open_for_reading(Path path) {
  silence_hdf5();
  check_is_hdf5(path);
  const hid_t id = open_read_only(path, writer_mark(path));
  if (id < 0) fail(path, "cannot open the HDF5 file; it is damaged or incomplete");
  return {id, H5Fclose};
}

// Refuses files that are not xsector results files, or come from a newer xsector.
void check_format(Path path, hid_t file) {
  if (!has_attribute(file, "format_version"))
    throw OutputError(path + ": an HDF5 file but not an xsector results file (no format_version attribute)");
  const std::int64_t version = read_int_attribute(path, file, "format_version");
  if (version > kFormatVersion)
    throw OutputError(path + ": written in results format version " + std::to_string(version) +
                      " by a newer xsector; this xsector reads up to version " + std::to_string(kFormatVersion));
  if (version < 1) throw OutputError(path + ": invalid format_version " + std::to_string(version));
}

std::vector<hsize_t> metric_dims(const MetricSpec& spec, std::size_t runs, std::size_t ticks) {
  if (spec.shape == MetricShape::scalar) return {runs, ticks};
  return {runs, ticks, static_cast<hsize_t>(width_of(spec.shape))};
}

std::string describe_dims(const std::vector<hsize_t>& dims) {
  std::string out = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(dims[i]);
  }
  return out + "]";
}

Handle open_metric(Path path, hid_t file, const MetricSpec& spec, std::size_t runs, std::size_t ticks) {
  const std::string name(spec.name);
  Handle ds = open_dataset(path, file, name);
  const auto dims = dims_of(path, {ds.get(), false, "dataset '" + name + "'"});
  const auto expected = metric_dims(spec, runs, ticks);
  if (dims != expected)
    throw OutputError(path + ": dataset '" + name + "' has shape " + describe_dims(dims) + ", expected " +
                      describe_dims(expected));
  return ds;
}

// ------------------------------------------------------------------------------------
// The writer lock

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

// An advisory write lock on the results file (an open file description lock, which
// neither HDF5's flock() nor other descriptors of this process interfere with). The
// kernel drops it when the process dies, so a killed writer never leaves a stale lock.
class WriterLock {
 public:
  WriterLock() = default;
  // Opens `file` (creating it exclusively if `create_new`) and locks it; messages name
  // `path`, the results file the user asked for.
  static WriterLock acquire(Path path, const std::string& file, bool create_new) {
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
  WriterLock(WriterLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  WriterLock& operator=(WriterLock&& other) noexcept {
    if (this != &other) {
      release();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~WriterLock() { release(); }
  void release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

}  // namespace

bool being_written_by_another_process(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock query = whole_file_write_lock();
  const bool held = ::fcntl(fd, kGetLock, &query) == 0 && query.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

namespace {

// ------------------------------------------------------------------------------------
// Creating the layout

void validate_header(Path path, const FileHeader& header) {
  if (header.runs.empty()) throw OutputError(path + ": a results file needs at least one run");
  if (header.ticks <= 0) throw OutputError(path + ": a results file needs at least one tick");
  if (header.ticks_per_year <= 0) throw OutputError(path + ": ticks_per_year must be positive");
  std::set<std::string> seen;
  for (const auto& p : header.swept_paths) {
    if (p.empty() || p.find('/') != std::string::npos)
      throw OutputError(path + ": swept parameter path '" + p + "' cannot name a dataset");
    if (!seen.insert(p).second) throw OutputError(path + ": swept parameter '" + p + "' is listed twice");
  }
  for (std::size_t r = 0; r < header.runs.size(); ++r)
    if (header.runs[r].swept_values.size() != header.swept_paths.size())
      throw OutputError(path + ": run " + std::to_string(r) + " has " +
                        std::to_string(header.runs[r].swept_values.size()) + " swept values for " +
                        std::to_string(header.swept_paths.size()) + " swept parameters");
}

void write_root_attributes(Path path, hid_t file, const FileHeader& h) {
  write_int_attribute(path, file, "format_version", kFormatVersion, H5T_STD_I32LE);
  write_string_attribute(path, file, "kind", h.kind);
  write_string_attribute(path, file, "program_version", h.program_version);
  write_string_attribute(path, file, "scenario_name", h.scenario_name);
  write_string_attribute(path, file, "scenario_toml", h.scenario_toml);
  write_string_attribute(path, file, "resolved_parameters", h.resolved_parameters);
  write_string_attribute(path, file, "scenario_digest", h.scenario_digest);
  write_strings_attribute(path, file, "overrides", h.overrides);
  write_string_attribute(path, file, "command_line", h.command_line);
  write_int_attribute(path, file, "threads", h.threads, H5T_STD_I32LE);
  write_string_attribute(path, file, "start_time", h.start_time);
  write_string_attribute(path, file, "end_time", "");  // set by finish()
  write_int_attribute(path, file, "ticks_per_year", h.ticks_per_year, H5T_STD_I64LE);
  write_strings_attribute(path, file, "swept_parameters", h.swept_paths);
  write_strings_attribute(path, file, "sbm_capped_blocks", h.sbm_capped_blocks);
  // Only in a shard's file, so that a file says which runs it was meant to hold.
  if (!h.shard.empty()) write_string_attribute(path, file, "shard", h.shard);
}

// How a swept parameter's values are stored: numbers as float64 (so xarray can group and
// plot them), strings as strings; `value_type` restores integers and booleans on reading.
const char* swept_value_type(Path path, const FileHeader& h, std::size_t i) {
  bool any_string = false, any_int = false, any_real = false, any_bool = false;
  for (const auto& run : h.runs) {
    const auto& v = run.swept_values[i];
    any_string |= std::holds_alternative<std::string>(v);
    any_int |= std::holds_alternative<std::int64_t>(v);
    any_real |= std::holds_alternative<double>(v);
    any_bool |= std::holds_alternative<bool>(v);
  }
  const int kinds = any_string + any_int + any_real + any_bool;
  if (any_string && kinds > 1)
    throw OutputError(path + ": swept parameter '" + h.swept_paths[i] + "' mixes strings and numbers");
  if (any_string) return "string";
  if (kinds > 1) return "real";
  return any_int ? "integer" : any_bool ? "boolean" : "real";
}

double as_number(const ScalarValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? 1.0 : 0.0;
  return std::get<double>(v);
}

Handle make_swept_parameter(Path path, hid_t file, const FileHeader& h, std::size_t i, const Handle& run_dim) {
  const std::string name = std::string(kParamPrefix) + h.swept_paths[i];
  const char* type = swept_value_type(path, h, i);
  Handle ds;
  if (std::string(type) == "string") {
    std::vector<std::string> values;
    for (const auto& run : h.runs) values.push_back(std::get<std::string>(run.swept_values[i]));
    ds = make_string_1d(path, file, name, values);
  } else {
    std::vector<double> values;
    for (const auto& run : h.runs) values.push_back(as_number(run.swept_values[i]));
    ds = make_1d(path, file, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values);
  }
  attach_scales(path, ds, {&run_dim});
  write_string_attribute(path, ds.get(), "value_type", type);
  write_string_attribute(path, ds.get(), "long_name", "swept parameter " + h.swept_paths[i]);
  return ds;
}

// Creates and fills the dimension scales and coordinates; returns the names xarray should
// treat as coordinates of every metric (CF `coordinates` attribute).
std::string make_coordinates(Path path, hid_t file, const FileHeader& h, const Handle& run_dim,
                             const Handle& tick_dim) {
  const std::size_t runs = h.runs.size(), ticks = static_cast<std::size_t>(h.ticks);
  std::vector<double> years(ticks);
  for (std::size_t t = 0; t < ticks; ++t) years[t] = static_cast<double>(t) / static_cast<double>(h.ticks_per_year);
  std::vector<std::int64_t> points(runs), replicates(runs);
  std::vector<std::uint64_t> seeds(runs);
  for (std::size_t r = 0; r < runs; ++r) {
    points[r] = h.runs[r].point;
    replicates[r] = h.runs[r].replicate;
    seeds[r] = h.runs[r].seed;
  }
  const auto add = [&](Handle ds, const Handle& dim, std::string_view units, std::string_view long_name) {
    attach_scales(path, ds, {&dim});
    describe(path, ds, units, long_name);
  };
  add(make_1d(path, file, kYear, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, years), tick_dim, "year",
      "simulated time in years (tick / ticks_per_year)");
  add(make_1d(path, file, kPoint, H5T_STD_I64LE, H5T_NATIVE_INT64, points), run_dim, "", "sweep point index");
  add(make_1d(path, file, kReplicate, H5T_STD_I64LE, H5T_NATIVE_INT64, replicates), run_dim, "",
      "replicate index within the sweep point");
  add(make_1d(path, file, kSeed, H5T_STD_U64LE, H5T_NATIVE_UINT64, seeds), run_dim, "",
      "run seed, derived from (scenario seed, point, replicate)");
  add(make_1d(path, file, kDone, H5T_STD_U8LE, H5T_NATIVE_UINT8, std::vector<std::uint8_t>(runs, 0)), run_dim, "",
      "1 once the run's series are written and flushed");
  add(make_1d(path, file, kWallTime, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, std::vector<double>(runs, kNaN)), run_dim,
      "s", "wall-clock seconds the run took (NaN until done)");
  std::string coordinates = std::string(kYear) + " " + kPoint + " " + kReplicate + " " + kSeed + " " + kDone + " " +
                            kWallTime;
  for (std::size_t i = 0; i < h.swept_paths.size(); ++i) {
    make_swept_parameter(path, file, h, i, run_dim);
    coordinates += ' ';
    coordinates += kParamPrefix;
    coordinates += h.swept_paths[i];
  }
  return coordinates;
}

// Chunked one run per chunk (a run is written and read as a unit), NaN where nothing was
// written yet. Every chunk is allocated (and NaN-filled) now, without compression: then
// HDF5 needs no chunk index (chunk addresses are computed) and writing a run never
// changes the file's metadata, which is what makes a kill harmless (see the top).
Handle metric_creation_list(Path path, const std::vector<hsize_t>& dims) {
  Handle dcpl = plist(path, H5P_DATASET_CREATE);
  std::vector<hsize_t> chunk = dims;
  chunk[0] = 1;
  ok(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), path, "set the chunk shape");
  ok(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), path, "allocate the metrics");
  const double fill = kNaN;
  ok(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &fill), path, "set the fill value");
  return dcpl;
}

std::array<Handle, kMetricCount> make_metrics(Path path, hid_t file, std::size_t runs, std::size_t ticks,
                                              const std::string& coordinates, const Handle& run_dim,
                                              const Handle& tick_dim, const Handle& sector_dim,
                                              const Handle& stage_dim) {
  std::array<Handle, kMetricCount> metrics;
  for (int m = 0; m < kMetricCount; ++m) {
    const MetricSpec& spec = kMetrics[m];
    const auto dims = metric_dims(spec, runs, ticks);
    const Handle dcpl = metric_creation_list(path, dims);
    metrics[m] = create_dataset(path, file, std::string(spec.name), H5T_IEEE_F64LE, dims, dcpl.get());
    if (spec.shape == MetricShape::scalar)
      attach_scales(path, metrics[m], {&run_dim, &tick_dim});
    else
      attach_scales(path, metrics[m],
                    {&run_dim, &tick_dim, spec.shape == MetricShape::by_sector ? &sector_dim : &stage_dim});
    describe(path, metrics[m], spec.units, spec.long_name);
    write_string_attribute(path, metrics[m].get(), "coordinates", coordinates);
  }
  return metrics;
}

template <std::size_t N>
std::vector<std::string> names_of(const std::array<std::string_view, N>& names, std::size_t count) {
  return {names.begin(), names.begin() + static_cast<std::ptrdiff_t>(count)};
}

// Creates the complete layout of docs/OUTPUT.md in the open, empty file.
void create_layout(Path path, hid_t file, const FileHeader& h) {
  const std::size_t runs = h.runs.size(), ticks = static_cast<std::size_t>(h.ticks);
  write_root_attributes(path, file, h);

  std::vector<std::int64_t> run_index(runs), tick_index(ticks);
  for (std::size_t r = 0; r < runs; ++r) run_index[r] = static_cast<std::int64_t>(r);
  for (std::size_t t = 0; t < ticks; ++t) tick_index[t] = static_cast<std::int64_t>(t);
  const Handle run_dim = make_1d(path, file, kRunDim, H5T_STD_I64LE, H5T_NATIVE_INT64, run_index);
  const Handle tick_dim = make_1d(path, file, kTickDim, H5T_STD_I64LE, H5T_NATIVE_INT64, tick_index);
  const Handle sector_dim = make_string_1d(path, file, kSectorDim, names_of(kSectorNames, kClientSectorCount));
  const Handle stage_dim = make_string_1d(path, file, kStageDim, names_of(kStageNames, kStageCount));
  make_scale(path, run_dim, kRunDim);
  make_scale(path, tick_dim, kTickDim);
  make_scale(path, sector_dim, kSectorDim);
  make_scale(path, stage_dim, kStageDim);

  const std::string coordinates = make_coordinates(path, file, h, run_dim, tick_dim);
  make_metrics(path, file, runs, ticks, coordinates, run_dim, tick_dim, sector_dim, stage_dim);
}

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

// ------------------------------------------------------------------------------------
// Snapshot

template <class T>
void check_length(Path path, const std::vector<T>& values, std::size_t n, const char* name) {
  if (values.size() != n)
    throw OutputError(path + ": snapshot field '" + name + "' has " + std::to_string(values.size()) +
                      " agents, sector has " + std::to_string(n));
}

std::string sector_flag_meanings() {
  std::string out;
  for (int s = 0; s < kSectorCount; ++s) {
    if (s) out += ' ';
    out += kSectorNames[s];
  }
  return out;
}

void write_snapshot_group(Path path, hid_t file, const AgentSnapshot& s) {
  const std::size_t n = s.sector.size();
  check_length(path, s.budget, n, "budget");
  check_length(path, s.capacity, n, "capacity");
  check_length(path, s.mindset, n, "mindset");
  check_length(path, s.funds, n, "funds");
  check_length(path, s.toolkit, n, "toolkit");
  check_length(path, s.degree, n, "degree");
  if (H5Lexists(file, kSnapshotGroup, H5P_DEFAULT) > 0)
    throw OutputError(path + ": the snapshot has already been written");
  H5Eclear2(H5E_DEFAULT);
  const Handle gcpl = plist(path, H5P_GROUP_CREATE);
  ok(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), path,
     "configure group /snapshot");
  const Handle group{ok(H5Gcreate2(file, kSnapshotGroup, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), path,
                        "create group /snapshot"),
                     H5Gclose};
  const hid_t g = group.get();
  std::vector<std::int64_t> index(n);
  for (std::size_t i = 0; i < n; ++i) index[i] = static_cast<std::int64_t>(i);
  const Handle agent = make_1d(path, g, kAgentDim, H5T_STD_I64LE, H5T_NATIVE_INT64, index);
  make_scale(path, agent, kAgentDim);

  const auto add = [&](Handle ds, std::string_view units, std::string_view long_name) {
    attach_scales(path, ds, {&agent});
    describe(path, ds, units, long_name);
    return ds;
  };
  // Sector as a number with the CF flag attributes naming each value.
  const Handle sector = add(make_1d(path, g, "sector", H5T_STD_U8LE, H5T_NATIVE_UINT8, s.sector), "", "agent sector");
  std::vector<std::uint8_t> flag_values(kSectorCount);
  for (int i = 0; i < kSectorCount; ++i) flag_values[i] = static_cast<std::uint8_t>(i);
  const hsize_t flags = kSectorCount;
  const Handle flag_space = file_space(path, 1, &flags);
  write_attribute(path, sector.get(), "flag_values", H5T_STD_U8LE, flag_space.get(), H5T_NATIVE_UINT8,
                  flag_values.data());
  write_string_attribute(path, sector.get(), "flag_meanings", sector_flag_meanings());

  add(make_1d(path, g, "budget", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s.budget), "USD per year", "support budget");
  add(make_1d(path, g, "capacity", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s.capacity), "1", "collaboration capacity");
  add(make_1d(path, g, "mindset", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s.mindset), "1", "collaborative mindset");
  add(make_1d(path, g, "funds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s.funds), "USD", "support funds held");
  add(make_1d(path, g, "toolkit", H5T_STD_U8LE, H5T_NATIVE_UINT8, s.toolkit), "", "1 if using the toolkit");
  add(make_1d(path, g, "degree", H5T_STD_I64LE, H5T_NATIVE_INT64, s.degree), "", "network degree");
}

// ------------------------------------------------------------------------------------
// Listing

// Link names of a group in creation order (name order for files that do not track it).
// By index rather than H5Literate, whose callback type differs between HDF5 1.10 and 1.12.
std::vector<std::string> link_names(Path path, hid_t group) {
  H5G_info_t info;
  ok(H5Gget_info(group, &info), path, "list the datasets");
  H5_index_t order = H5_INDEX_CRT_ORDER;
  if (H5Lget_name_by_idx(group, ".", order, H5_ITER_INC, 0, nullptr, 0, H5P_DEFAULT) < 0) order = H5_INDEX_NAME;
  H5Eclear2(H5E_DEFAULT);
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length = ok(H5Lget_name_by_idx(group, ".", order, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT), path,
                              "list the datasets");
    std::string name(static_cast<std::size_t>(length) + 1, '\0');
    ok(H5Lget_name_by_idx(group, ".", order, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT), path,
       "list the datasets");
    name.resize(static_cast<std::size_t>(length));
    names.push_back(std::move(name));
  }
  return names;
}

// An object whose header cannot be opened is damaged: an error naming it, not a dataset
// to skip (`info` used to list the metrics without it and exit 0, fuzz finding F5).
bool is_dataset(Path path, hid_t loc, const std::string& name) {
  const hid_t object = H5Oopen(loc, name.c_str(), H5P_DEFAULT);
  if (object < 0) fail(path, "object '" + name + "' is damaged");
  const bool dataset = H5Iget_type(object) == H5I_DATASET;
  H5Oclose(object);
  return dataset;
}

herr_t scale_name(hid_t, unsigned, hid_t scale, void* out) {
  char buffer[256] = {0};
  if (H5DSget_scale_name(scale, buffer, sizeof buffer) > 0) *static_cast<std::string*>(out) = buffer;
  return 1;  // the first scale of the axis names it
}

std::vector<std::string> dimension_names(hid_t ds, std::size_t rank) {
  std::vector<std::string> names(rank);
  if (rank == 1 && H5DSis_scale(ds) > 0) {  // a dimension scale is its own axis
    char buffer[256] = {0};
    if (H5DSget_scale_name(ds, buffer, sizeof buffer) > 0) names[0] = buffer;
  }
  for (unsigned axis = 0; axis < rank; ++axis) {
    if (names[axis].empty() && H5DSget_num_scales(ds, axis) > 0) H5DSiterate_scales(ds, axis, nullptr, scale_name, &names[axis]);
    if (names[axis].empty()) names[axis] = "dim" + std::to_string(axis);
  }
  H5Eclear2(H5E_DEFAULT);
  return names;
}

void list_group(Path path, hid_t group, const std::string& prefix, std::vector<VariableInfo>& out) {
  for (const auto& name : link_names(path, group)) {
    if (!is_dataset(path, group, name)) continue;
    const Handle ds = open_dataset(path, group, name);
    VariableInfo info;
    info.name = prefix + name;
    for (hsize_t d : dims_of(path, {ds.get(), false, "dataset '" + info.name + "'"})) info.shape.push_back(d);
    info.dims = dimension_names(ds.get(), info.shape.size());
    info.units = read_optional_string_attribute(path, ds.get(), "units");
    info.long_name = read_optional_string_attribute(path, ds.get(), "long_name");
    out.push_back(std::move(info));
  }
}

// Swept values back as the ScalarValue alternatives they were written from.
std::vector<ScalarValue> read_swept_values(Path path, hid_t file, const std::string& swept, std::size_t runs) {
  const std::string name = std::string(kParamPrefix) + swept;
  const Handle ds = open_dataset(path, file, name);
  const std::string type = read_optional_string_attribute(path, ds.get(), "value_type");
  const Source s{ds.get(), false, "dataset '" + name + "'"};
  const auto dims = dims_of(path, s);
  if (dims.size() != 1 || dims[0] != runs)
    throw OutputError(path + ": dataset '" + name + "' should have " + std::to_string(runs) + " elements");
  std::vector<ScalarValue> out;
  const Handle file_type = type_of(path, s);
  if (H5Tget_class(file_type.get()) == H5T_STRING) {
    for (auto& v : read_strings(path, s)) out.emplace_back(std::move(v));
    return out;
  }
  for (double v : read_numbers<double>(path, s, H5T_NATIVE_DOUBLE)) {
    if (type == "integer")
      out.emplace_back(static_cast<std::int64_t>(std::llround(v)));
    else if (type == "boolean")
      out.emplace_back(v != 0.0);
    else
      out.emplace_back(v);
  }
  return out;
}

FileHeader read_header(Path path, hid_t file) {
  FileHeader h;
  h.kind = read_string_attribute(path, file, "kind");
  h.program_version = read_string_attribute(path, file, "program_version");
  h.scenario_name = read_string_attribute(path, file, "scenario_name");
  h.scenario_toml = read_string_attribute(path, file, "scenario_toml");
  h.resolved_parameters = read_string_attribute(path, file, "resolved_parameters");
  h.scenario_digest = read_string_attribute(path, file, "scenario_digest");
  h.overrides = read_strings_attribute(path, file, "overrides");
  h.command_line = read_string_attribute(path, file, "command_line");
  h.start_time = read_string_attribute(path, file, "start_time");
  h.threads = static_cast<int>(read_int_attribute(path, file, "threads"));
  h.ticks_per_year = read_int_attribute(path, file, "ticks_per_year");
  h.swept_paths = read_strings_attribute(path, file, "swept_parameters");
  h.shard = read_optional_string_attribute(path, file, "shard");
  if (has_attribute(file, "sbm_capped_blocks"))  // absent in files of earlier versions
    h.sbm_capped_blocks = read_strings_attribute(path, file, "sbm_capped_blocks");

  const std::size_t runs = dimension_length(path, file, kRunDim);
  h.ticks = static_cast<std::int64_t>(dimension_length(path, file, kTickDim));
  const auto points = read_1d<std::int64_t>(path, file, kPoint, H5T_NATIVE_INT64, runs);
  const auto replicates = read_1d<std::int64_t>(path, file, kReplicate, H5T_NATIVE_INT64, runs);
  const auto seeds = read_1d<std::uint64_t>(path, file, kSeed, H5T_NATIVE_UINT64, runs);
  h.runs.resize(runs);
  for (std::size_t r = 0; r < runs; ++r) {
    h.runs[r].point = points[r];
    h.runs[r].replicate = replicates[r];
    h.runs[r].seed = seeds[r];
  }
  for (const auto& swept : h.swept_paths) {
    auto values = read_swept_values(path, file, swept, runs);
    for (std::size_t r = 0; r < runs; ++r) h.runs[r].swept_values.push_back(std::move(values[r]));
  }
  return h;
}

}  // namespace

// HDF5 closes every file still open when the process exits. An abandoned file (below) is
// one whose close already failed on purpose; closing it again at exit crashes inside HDF5
// 1.10 (H5F__close_cb). Every file this program opens is closed explicitly by its owner,
// so the library's exit handler is not needed; it must be switched off before the first
// HDF5 call, hence a static initialiser.
[[maybe_unused]] const herr_t kNoHdf5ExitHandler = H5dont_atexit();

// ======================================================================================
// ResultsWriter

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
    for (auto& m : metrics) m.reset();
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
    for (auto& m : metrics) m.reset();
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

  void write_element(const Handle& ds, std::size_t index, hid_t mem_type, const void* value, const char* name) {
    const Handle space{ok(H5Dget_space(ds.get()), path, "get the shape of '" + std::string(name) + "'"), H5Sclose};
    const hsize_t start = index, count = 1;
    ok(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr), path, "select a run");
    const Handle memory = file_space(path, 1, &count);
    ok(H5Dwrite(ds.get(), mem_type, memory.get(), space.get(), H5P_DEFAULT, value), path,
       "write dataset '" + std::string(name) + "'");
  }

  void write_metric(int m, std::size_t run, const std::vector<double>& values) {
    const auto& ds = metrics[m];
    const std::string name(kMetrics[m].name);
    const Handle space{ok(H5Dget_space(ds.get()), path, "get the shape of '" + name + "'"), H5Sclose};
    const int rank = H5Sget_simple_extent_ndims(space.get());
    const hsize_t start[3] = {run, 0, 0};
    const hsize_t count[3] = {1, ticks, static_cast<hsize_t>(width_of(kMetrics[m].shape))};
    ok(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), path, "select a run");
    const Handle memory = file_space(path, static_cast<std::size_t>(rank), count);
    ok(H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, memory.get(), space.get(), H5P_DEFAULT, values.data()), path,
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
  Impl& w = *impl_;
  w.check_usable("write_run");
  if (run >= w.runs)
    throw OutputError(w.path + ": run " + std::to_string(run) + " is outside 0.." + std::to_string(w.runs - 1));
  if (series.ticks != w.ticks)
    throw OutputError(w.path + ": run " + std::to_string(run) + " has " + std::to_string(series.ticks) +
                      " ticks, the file " + std::to_string(w.ticks));
  for (int m = 0; m < kMetricCount; ++m)
    if (series.values[m].size() != w.ticks * static_cast<std::size_t>(width_of(kMetrics[m].shape)))
      throw OutputError(w.path + ": metric " + std::string(kMetrics[m].name) + " has the wrong number of values");

  w.writing([&] {
    for (int m = 0; m < kMetricCount; ++m) w.write_metric(m, run, series.values[m]);
    w.write_element(w.wall_time, run, H5T_NATIVE_DOUBLE, &wall_seconds, kWallTime);
    // The series must be on disk before the flag that says so: two flushes, because HDF5
    // does not order the writes within one flush.
    w.flush();
    const std::uint8_t one = 1;
    w.write_element(w.done, run, H5T_NATIVE_UINT8, &one, kDone);
    w.flush();
  });
}

void ResultsWriter::write_snapshot(const AgentSnapshot& snapshot) {
  silence_hdf5();
  Impl& w = *impl_;
  w.check_usable("write_snapshot");
  w.writing([&] {
    w.reopen(false);
    write_snapshot_group(w.path, w.file.get(), snapshot);
    w.reopen(true);
  });
}

void ResultsWriter::finish(const std::string& end_time) {
  silence_hdf5();
  Impl& w = *impl_;
  if (w.finished) return;
  w.check_usable("finish");
  // Written in SWMR mode, which HDF5 allows for an existing attribute: leaving SWMR mode
  // would expose the file, for a moment, to a kill with no write ordering at all.
  w.writing([&] {
    write_string_attribute(w.path, w.file.get(), "end_time", end_time);
    w.close_all();
  });
  w.lock.release();
  w.finished = true;
}

std::uint64_t estimated_file_size(std::size_t runs, std::int64_t ticks, std::size_t swept_parameters) {
  std::uint64_t columns = 0;
  for (const auto& spec : kMetrics) columns += static_cast<std::uint64_t>(width_of(spec.shape));
  const std::uint64_t t = ticks > 0 ? static_cast<std::uint64_t>(ticks) : 0;
  // Measured: about 48 KiB of metadata, the run coordinates (run, point, replicate, seed,
  // done, wall_time: 41 bytes, and 8 per swept parameter), tick and year.
  return 48 * 1024 + runs * (41 + 8 * swept_parameters) + t * 16 + runs * t * columns * sizeof(double);
}

// ======================================================================================
// Readers

// end_time, or "" for a file whose writer was killed inside finish(): rewriting the
// attribute puts its string in a new heap object at the end of the file, and a kill
// before the superblock's end-of-file address has been flushed past it leaves the
// attribute pointing beyond that address (1 kill in about 900 in the kill test under
// load). Its runs are all there; the file is unfinished, and `--resume` (open_existing
// moves the end-of-file address to the real end) writes end_time again.
std::string read_end_time(Path path, hid_t file) {
  try {
    return read_string_attribute(path, file, "end_time");
  } catch (const OutputError&) {
    if (writer_mark(path) != WriterMark::swmr_writer) throw;
    H5Eclear2(H5E_DEFAULT);
    return "";
  }
}

FileSummary read_summary(const std::string& path) {
  const Hdf5CrashGuard guard(path);  // libhdf5 may crash on a damaged file
  const Handle file = open_for_reading(path);
  check_format(path, file.get());
  FileSummary s;
  s.format_version = static_cast<int>(read_int_attribute(path, file.get(), "format_version"));
  s.header = read_header(path, file.get());
  s.end_time = read_end_time(path, file.get());
  const std::size_t runs = s.header.runs.size();
  s.done = read_1d<std::uint8_t>(path, file.get(), kDone, H5T_NATIVE_UINT8, runs);
  s.wall_time = read_1d<double>(path, file.get(), kWallTime, H5T_NATIVE_DOUBLE, runs);
  return s;
}

RunSeries read_run(const std::string& path, std::size_t run) {
  const Hdf5CrashGuard guard(path);  // libhdf5 may crash on a damaged file
  const Handle file = open_for_reading(path);
  check_format(path, file.get());
  const std::size_t runs = dimension_length(path, file.get(), kRunDim);
  const std::size_t ticks = dimension_length(path, file.get(), kTickDim);
  if (run >= runs)
    throw OutputError(path + ": run " + std::to_string(run) + " does not exist (the file has " +
                      std::to_string(runs) + " runs)");
  RunSeries series(ticks);
  for (int m = 0; m < kMetricCount; ++m) {
    const Handle ds = open_metric(path, file.get(), kMetrics[m], runs, ticks);
    const Handle space{ok(H5Dget_space(ds.get()), path, "get a dataset's shape"), H5Sclose};
    const int rank = H5Sget_simple_extent_ndims(space.get());
    const hsize_t start[3] = {run, 0, 0};
    const hsize_t count[3] = {1, ticks, static_cast<hsize_t>(width_of(kMetrics[m].shape))};
    ok(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), path, "select a run");
    const Handle memory = file_space(path, static_cast<std::size_t>(rank), count);
    ok(H5Dread(ds.get(), H5T_NATIVE_DOUBLE, memory.get(), space.get(), H5P_DEFAULT, series.values[m].data()), path,
       "read dataset '" + std::string(kMetrics[m].name) + "' for run " + std::to_string(run));
  }
  return series;
}

std::optional<AgentSnapshot> read_snapshot(const std::string& path) {
  const Hdf5CrashGuard guard(path);  // libhdf5 may crash on a damaged file
  const Handle file = open_for_reading(path);
  check_format(path, file.get());
  if (H5Lexists(file.get(), kSnapshotGroup, H5P_DEFAULT) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return std::nullopt;
  }
  const Handle group{ok(H5Gopen2(file.get(), kSnapshotGroup, H5P_DEFAULT), path, "open group /snapshot"), H5Gclose};
  const hid_t g = group.get();
  const std::size_t n = dimension_length(path, g, kAgentDim);
  AgentSnapshot s;
  s.sector = read_1d<std::uint8_t>(path, g, "sector", H5T_NATIVE_UINT8, n);
  s.budget = read_1d<double>(path, g, "budget", H5T_NATIVE_DOUBLE, n);
  s.capacity = read_1d<double>(path, g, "capacity", H5T_NATIVE_DOUBLE, n);
  s.mindset = read_1d<double>(path, g, "mindset", H5T_NATIVE_DOUBLE, n);
  s.funds = read_1d<double>(path, g, "funds", H5T_NATIVE_DOUBLE, n);
  s.toolkit = read_1d<std::uint8_t>(path, g, "toolkit", H5T_NATIVE_UINT8, n);
  s.degree = read_1d<std::int64_t>(path, g, "degree", H5T_NATIVE_INT64, n);
  return s;
}

std::vector<VariableInfo> list_variables(const std::string& path) {
  const Hdf5CrashGuard guard(path);  // libhdf5 may crash on a damaged file
  const Handle file = open_for_reading(path);
  check_format(path, file.get());
  std::vector<VariableInfo> out;
  list_group(path, file.get(), "", out);
  if (H5Lexists(file.get(), kSnapshotGroup, H5P_DEFAULT) > 0) {
    const Handle group{ok(H5Gopen2(file.get(), kSnapshotGroup, H5P_DEFAULT), path, "open group /snapshot"),
                       H5Gclose};
    list_group(path, group.get(), std::string(kSnapshotGroup) + "/", out);
  }
  H5Eclear2(H5E_DEFAULT);
  return out;
}

}  // namespace xsector
