#pragma once
// Internal to the output layer: reading strings and numbers from datasets and attributes,
// refusing sizes that only a damaged file can claim.
#include <cstdint>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "output/hdf5_handles.hpp"

namespace xsector::hdf5 {

// A dataset or an attribute: the two differ only in how they are read.
struct Source {
  hid_t id;
  bool attribute;
  std::string label;  // for messages
};

Handle type_of(Path path, const Source& source);
std::vector<hsize_t> dims_of(Path path, const Source& source);
// Number of elements, refusing sizes only a damaged file can claim.
std::size_t element_count(Path path, const Source& source, std::size_t element_size);
herr_t read_into(const Source& source, hid_t mem_type, void* buffer);

// Every string of a string dataset or attribute, variable- or fixed-length.
std::vector<std::string> read_strings(Path path, const Source& source);

// Every number of a numeric dataset or attribute, converted by HDF5 to `mem_type`.
template <class T>
std::vector<T> read_numbers(Path path, const Source& source, hid_t mem_type) {
  const Handle file_type = type_of(path, source);
  const H5T_class_t cls = H5Tget_class(file_type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) throw OutputError(path + ": " + source.label + " is not numeric");
  std::vector<T> out(element_count(path, source, sizeof(T)));
  if (!out.empty()) ok(read_into(source, mem_type, out.data()), path, "read " + source.label);
  return out;
}

std::string read_string_attribute(Path path, hid_t obj, const char* name, const std::string& owner = "the file");
// Empty when the attribute is absent (optional descriptive attributes).
std::string read_optional_string_attribute(Path path, hid_t obj, const char* name);
std::vector<std::string> read_strings_attribute(Path path, hid_t obj, const char* name);
std::int64_t read_int_attribute(Path path, hid_t obj, const char* name);

// A whole 1-D dataset that must have `length` elements.
template <class T>
std::vector<T> read_1d(Path path, hid_t loc, const std::string& name, hid_t mem_type, std::size_t length) {
  const Handle dataset = open_dataset(path, loc, name);
  const Source source{dataset.get(), false, "dataset '" + name + "'"};
  const auto dims = dims_of(path, source);
  if (dims.size() != 1 || dims[0] != length)
    throw OutputError(path + ": dataset '" + name + "' should have " + std::to_string(length) + " elements");
  return read_numbers<T>(path, source, mem_type);
}

// Length of the 1-D dimension scale `name` (run, tick, agent).
std::size_t dimension_length(Path path, hid_t loc, const char* name);

}  // namespace xsector::hdf5
