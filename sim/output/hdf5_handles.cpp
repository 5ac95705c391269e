// HDF5 error messages, handles of dataspaces, property lists, types and datasets, and the
// library's exit handler switched off.
#include "output/hdf5_handles.hpp"

#include <vector>

#include "core/errors.hpp"

namespace xsector::hdf5 {
namespace {

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

}  // namespace

// HDF5 closes every file still open when the process exits. An abandoned file (see
// ResultsWriter::Impl::abandon) is one whose close already failed on purpose; closing it
// again at exit crashes inside HDF5 1.10 (H5F__close_cb). Every file this program opens is
// closed explicitly by its owner, so the library's exit handler is not needed; it must be
// switched off before the first HDF5 call, hence a static initialiser, in the file every
// HDF5 call of the output layer links.
[[maybe_unused]] const herr_t kNoHdf5ExitHandler = H5dont_atexit();

void silence_hdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

std::string hdf5_error_detail() {
  std::vector<std::string> messages;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &messages);
  H5Eclear2(H5E_DEFAULT);
  for (auto& message : messages) message = condense(message);
  if (messages.empty()) return {};
  if (messages.size() == 1 || messages.front() == messages.back()) return messages.front();
  return messages.front() + ": " + messages.back();
}

[[noreturn]] void fail(Path path, const std::string& what) {
  const std::string detail = hdf5_error_detail();
  throw OutputError(path + ": " + what + (detail.empty() ? "" : " (HDF5: " + detail + ")"));
}

Handle file_space(Path path, std::size_t rank, const hsize_t* dims) {
  return {ok(H5Screate_simple(static_cast<int>(rank), dims, nullptr), path, "create a dataspace"), H5Sclose};
}

Handle scalar_space(Path path) { return {ok(H5Screate(H5S_SCALAR), path, "create a dataspace"), H5Sclose}; }

Handle plist(Path path, hid_t cls) { return {ok(H5Pcreate(cls), path, "create a property list"), H5Pclose}; }

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

}  // namespace xsector::hdf5
