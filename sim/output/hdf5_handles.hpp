#pragma once
// Internal to the output layer: an owning handle for HDF5 identifiers, and HDF5's error
// stack turned into OutputError messages that name the results file.
#include <hdf5.h>

#include <cstddef>
#include <string>
#include <utility>

namespace xsector::hdf5 {

// Every helper takes the path of the results file for its error messages.
using Path = const std::string&;

// HDF5 prints its error stack to stderr by default; we turn that off and build an
// OutputError from the stack instead. Called at every entry point because the setting is
// per thread in thread-safe builds of HDF5.
void silence_hdf5();

// "outermost message: innermost message" from HDF5's error stack, which is then cleared.
std::string hdf5_error_detail();

// Throws OutputError "path: what (HDF5: detail)".
[[noreturn]] void fail(Path path, const std::string& what);

// Throws unless an HDF5 call succeeded (ids and herr_t are negative on failure).
template <class Id>
Id ok(Id result, Path path, const std::string& what) {
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

Handle file_space(Path path, std::size_t rank, const hsize_t* dims);
Handle scalar_space(Path path);
Handle plist(Path path, hid_t cls);

// Variable-length UTF-8 strings: h5py and xarray read them as str (fixed-length ones come
// back as bytes).
Handle vlen_string_type(Path path);

// Opens dataset `name` of `loc`; a missing one is reported as missing.
Handle open_dataset(Path path, hid_t loc, const std::string& name);

bool has_attribute(hid_t obj, const char* name);

}  // namespace xsector::hdf5
