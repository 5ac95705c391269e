// Reading strings and numbers from HDF5 datasets and attributes.
#include "output/hdf5_reading.hpp"

#include <algorithm>
#include <cstring>

namespace xsector::hdf5 {
namespace {

// A read larger than this comes from a damaged file, not from a simulation.
constexpr std::uint64_t kMaxReadBytes = std::uint64_t{1} << 34;

Handle space_of(Path path, const Source& source) {
  return {ok(source.attribute ? H5Aget_space(source.id) : H5Dget_space(source.id), path,
             "get the shape of " + source.label),
          H5Sclose};
}

Handle open_attribute(Path path, hid_t obj, const char* name, const std::string& owner) {
  if (!has_attribute(obj, name)) throw OutputError(path + ": attribute '" + name + "' of " + owner + " is missing");
  return {ok(H5Aopen(obj, name, H5P_DEFAULT), path, std::string("open attribute '") + name + "'"), H5Aclose};
}

}  // namespace

Handle type_of(Path path, const Source& source) {
  return {ok(source.attribute ? H5Aget_type(source.id) : H5Dget_type(source.id), path,
             "get the type of " + source.label),
          H5Tclose};
}

std::vector<hsize_t> dims_of(Path path, const Source& source) {
  const Handle space = space_of(path, source);
  const int rank = ok(H5Sget_simple_extent_ndims(space.get()), path, "get the shape of " + source.label);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0)
    ok(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), path, "get the shape of " + source.label);
  return dims;
}

std::size_t element_count(Path path, const Source& source, std::size_t element_size) {
  const Handle space = space_of(path, source);
  const hssize_t n = ok(H5Sget_simple_extent_npoints(space.get()), path, "get the size of " + source.label);
  if (static_cast<std::uint64_t>(n) > kMaxReadBytes / std::max<std::size_t>(element_size, 1))
    throw OutputError(path + ": " + source.label + " claims " + std::to_string(n) + " elements; the file is damaged");
  return static_cast<std::size_t>(n);
}

herr_t read_into(const Source& source, hid_t mem_type, void* buffer) {
  return source.attribute ? H5Aread(source.id, mem_type, buffer)
                          : H5Dread(source.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
}

std::vector<std::string> read_strings(Path path, const Source& source) {
  const Handle file_type = type_of(path, source);
  if (H5Tget_class(file_type.get()) != H5T_STRING) throw OutputError(path + ": " + source.label + " is not a string");
  const htri_t variable = ok(H5Tis_variable_str(file_type.get()), path, "inspect the type of " + source.label);
  const H5T_cset_t cset = H5Tget_cset(file_type.get());
  Handle mem_type{ok(H5Tcopy(H5T_C_S1), path, "copy the string type"), H5Tclose};
  if (cset >= 0) H5Tset_cset(mem_type.get(), cset);
  std::vector<std::string> out;
  if (variable) {
    ok(H5Tset_size(mem_type.get(), H5T_VARIABLE), path, "make a string type");
    std::vector<char*> texts(element_count(path, source, sizeof(char*)), nullptr);
    if (texts.empty()) return out;
    ok(read_into(source, mem_type.get(), texts.data()), path, "read " + source.label);
    for (char* text : texts) {
      out.emplace_back(text ? text : "");
      if (text) H5free_memory(text);
    }
  } else {
    const std::size_t size = H5Tget_size(file_type.get());
    if (size == 0) throw OutputError(path + ": " + source.label + " has a zero-size string type");
    ok(H5Tset_size(mem_type.get(), size), path, "make a string type");
    ok(H5Tset_strpad(mem_type.get(), H5T_STR_NULLPAD), path, "make a string type");
    const std::size_t n = element_count(path, source, size);
    std::vector<char> buffer(n * size);
    if (n == 0) return out;
    ok(read_into(source, mem_type.get(), buffer.data()), path, "read " + source.label);
    for (std::size_t i = 0; i < n; ++i) {
      const char* begin = buffer.data() + i * size;
      out.emplace_back(begin, strnlen(begin, size));
    }
  }
  return out;
}

std::string read_string_attribute(Path path, hid_t obj, const char* name, const std::string& owner) {
  const Handle attr = open_attribute(path, obj, name, owner);
  auto values = read_strings(path, {attr.get(), true, std::string("attribute '") + name + "'"});
  if (values.size() != 1) throw OutputError(path + ": attribute '" + name + "' is not a single string");
  return values.front();
}

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

std::size_t dimension_length(Path path, hid_t loc, const char* name) {
  const Handle dataset = open_dataset(path, loc, name);
  const auto dims = dims_of(path, {dataset.get(), false, std::string("dataset '") + name + "'"});
  if (dims.size() != 1) throw OutputError(path + ": dimension '" + std::string(name) + "' is not one-dimensional");
  return static_cast<std::size_t>(dims[0]);
}

}  // namespace xsector::hdf5
