// Writing attributes and 1-D datasets, and attaching dimension scales.
#include "output/hdf5_writing.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <cstddef>

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

namespace {

hobj_ref_t reference_to(Path path, hid_t object) {
  hobj_ref_t ref{};
  ok(H5Rcreate(&ref, object, ".", H5R_OBJECT, -1), path, "reference a dimension scale");
  return ref;
}

}  // namespace

void ScaleAttachments::attach(const Handle& dataset, const std::vector<const Handle*>& scales) {
  const hobj_ref_t self = reference_to(path_, dataset.get());
  std::vector<hobj_ref_t> refs(scales.size());
  std::vector<hvl_t> dimension_list(scales.size());
  for (std::size_t axis = 0; axis < scales.size(); ++axis) {
    const hid_t scale = scales[axis]->get();
    refs[axis] = reference_to(path_, scale);
    dimension_list[axis] = {1, &refs[axis]};
    auto list = std::find_if(back_references_.begin(), back_references_.end(),
                             [&](const auto& entry) { return entry.first == scale; });
    if (list == back_references_.end()) list = back_references_.insert(back_references_.end(), {scale, {}});
    list->second.push_back({self, static_cast<int>(axis)});
  }
  const Handle type{ok(H5Tvlen_create(H5T_STD_REF_OBJ), path_, "make the DIMENSION_LIST type"), H5Tclose};
  const hsize_t rank = scales.size();
  const Handle space = file_space(path_, 1, &rank);
  write_attribute(path_, dataset.get(), "DIMENSION_LIST", type.get(), space.get(), type.get(), dimension_list.data());
}

void ScaleAttachments::finish() {
  const Handle type{ok(H5Tcreate(H5T_COMPOUND, sizeof(BackReference)), path_, "make the REFERENCE_LIST type"),
                    H5Tclose};
  ok(H5Tinsert(type.get(), "dataset", offsetof(BackReference, dataset), H5T_STD_REF_OBJ), path_,
     "make the REFERENCE_LIST type");
  ok(H5Tinsert(type.get(), "dimension", offsetof(BackReference, dimension), H5T_NATIVE_INT), path_,
     "make the REFERENCE_LIST type");
  for (const auto& [scale, entries] : back_references_) {
    const hsize_t n = entries.size();
    const Handle space = file_space(path_, 1, &n);
    write_attribute(path_, scale, "REFERENCE_LIST", type.get(), space.get(), type.get(), entries.data());
  }
  back_references_.clear();
}

void describe(Path path, const Handle& dataset, std::string_view units, std::string_view long_name) {
  if (!units.empty()) write_string_attribute(path, dataset.get(), "units", std::string(units));
  write_string_attribute(path, dataset.get(), "long_name", std::string(long_name));
}

}  // namespace xsector::hdf5
