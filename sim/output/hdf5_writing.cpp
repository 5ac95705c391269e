// Writing attributes and 1-D datasets, and attaching dimension scales.
#include "output/hdf5_writing.hpp"

#include <hdf5_hl.h>

namespace xsector::hdf5 {

void write_attribute(Path path, hid_t obj, const char* name, hid_t file_type, hid_t space, hid_t mem_type,
                     const void* data) {
  const std::string what = std::string("write attribute '") + name + "'";
  Handle attr;
  if (has_attribute(obj, name))
    attr = Handle{ok(H5Aopen(obj, name, H5P_DEFAULT), path, what), H5Aclose};
  else
    attr = Handle{ok(H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT), path, what), H5Aclose};
  if (data) ok(H5Awrite(attr.get(), mem_type, data), path, what);
}

void write_string_attribute(Path path, hid_t obj, const char* name, const std::string& value) {
  const Handle type = vlen_string_type(path);
  const Handle space = scalar_space(path);
  const char* text = value.c_str();
  write_attribute(path, obj, name, type.get(), space.get(), type.get(), &text);
}

void write_strings_attribute(Path path, hid_t obj, const char* name, const std::vector<std::string>& values) {
  const Handle type = vlen_string_type(path);
  const hsize_t n = values.size();
  const Handle space = file_space(path, 1, &n);
  std::vector<const char*> texts;
  for (const auto& value : values) texts.push_back(value.c_str());
  write_attribute(path, obj, name, type.get(), space.get(), type.get(), texts.empty() ? nullptr : texts.data());
}

void write_int_attribute(Path path, hid_t obj, const char* name, std::int64_t value, hid_t file_type) {
  const Handle space = scalar_space(path);
  write_attribute(path, obj, name, file_type, space.get(), H5T_NATIVE_INT64, &value);
}

Handle create_dataset(Path path, hid_t loc, const std::string& name, hid_t file_type,
                      const std::vector<hsize_t>& dims, hid_t dcpl) {
  const Handle space = file_space(path, dims.size(), dims.data());
  return {ok(H5Dcreate2(loc, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl, H5P_DEFAULT), path,
             "create dataset '" + name + "'"),
          H5Dclose};
}

void write_whole(Path path, hid_t dataset, hid_t mem_type, const void* data, const std::string& name) {
  // A write that converts (variable-length strings) gets a type conversion buffer, 1 MiB by
  // default, which HDF5 allocates zeroed for each call: most of a small run's file set-up
  // went to zeroing them. These datasets are a few labels, so 64 KiB holds them many times.
  constexpr std::size_t kConversionBuffer = 64 * 1024;
  const Handle transfer = plist(path, H5P_DATASET_XFER);
  ok(H5Pset_buffer(transfer.get(), kConversionBuffer, nullptr, nullptr), path, "size the conversion buffer");
  ok(H5Dwrite(dataset, mem_type, H5S_ALL, H5S_ALL, transfer.get(), data), path, "write dataset '" + name + "'");
}

Handle make_string_1d(Path path, hid_t loc, const std::string& name, const std::vector<std::string>& values) {
  const Handle type = vlen_string_type(path);
  std::vector<const char*> texts;
  for (const auto& value : values) texts.push_back(value.c_str());
  Handle dataset = create_dataset(path, loc, name, type.get(), {values.size()});
  if (!texts.empty()) write_whole(path, dataset.get(), type.get(), texts.data(), name);
  return dataset;
}

void make_scale(Path path, const Handle& dataset, const char* name) {
  ok(H5DSset_scale(dataset.get(), name), path, std::string("make '") + name + "' a dimension scale");
}

void attach_scales(Path path, const Handle& dataset, const std::vector<const Handle*>& scales) {
  for (unsigned axis = 0; axis < scales.size(); ++axis)
    ok(H5DSattach_scale(dataset.get(), scales[axis]->get(), axis), path, "attach a dimension scale");
}

void describe(Path path, const Handle& dataset, std::string_view units, std::string_view long_name) {
  if (!units.empty()) write_string_attribute(path, dataset.get(), "units", std::string(units));
  write_string_attribute(path, dataset.get(), "long_name", std::string(long_name));
}

}  // namespace xsector::hdf5
