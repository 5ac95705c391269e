#pragma once
// Internal to the output layer: writing attributes and 1-D datasets, and the dimension
// scales that name every axis for xarray.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "output/hdf5_handles.hpp"

namespace xsector::hdf5 {

// Creates attribute `name` of `obj`, or opens it if it exists, and writes `data` (null:
// an empty array, nothing to write).
void write_attribute(Path path, hid_t obj, const char* name, hid_t file_type, hid_t space, hid_t mem_type,
                     const void* data);
void write_string_attribute(Path path, hid_t obj, const char* name, const std::string& value);
// A 1-D array of strings (possibly empty: a zero-length array, which h5py reads as such).
void write_strings_attribute(Path path, hid_t obj, const char* name, const std::vector<std::string>& values);
void write_int_attribute(Path path, hid_t obj, const char* name, std::int64_t value, hid_t file_type);

Handle create_dataset(Path path, hid_t loc, const std::string& name, hid_t file_type,
                      const std::vector<hsize_t>& dims, hid_t dcpl = H5P_DEFAULT);
void write_whole(Path path, hid_t dataset, hid_t mem_type, const void* data, const std::string& name);

// A 1-D dataset created and filled at once.
template <class T>
Handle make_1d(Path path, hid_t loc, const std::string& name, hid_t file_type, hid_t mem_type,
               const std::vector<T>& values) {
  Handle dataset = create_dataset(path, loc, name, file_type, {values.size()});
  if (!values.empty()) write_whole(path, dataset.get(), mem_type, values.data(), name);
  return dataset;
}

Handle make_string_1d(Path path, hid_t loc, const std::string& name, const std::vector<std::string>& values);

void make_scale(Path path, const Handle& dataset, const char* name);

// Dimension scales attached to datasets, so that xarray (h5netcdf) names every axis: the
// attributes of HDF5's dimension-scale specification (what H5DSattach_scale writes), each
// written once. H5DSattach_scale rewrites a scale's whole back-reference list on every call,
// so attaching the run scale to every metric one call at a time grows with the square of
// their number; that was the largest part of creating a small results file.
class ScaleAttachments {
 public:
  explicit ScaleAttachments(Path path) : path_(path) {}
  // Axis i of `dataset` has the scale *scales[i] (one scale per axis): writes the dataset's
  // DIMENSION_LIST now and keeps the scales' back-references for finish().
  void attach(const Handle& dataset, const std::vector<const Handle*>& scales);
  // Writes every scale's REFERENCE_LIST; call once, after the last attach, while the
  // scales are open.
  void finish();

 private:
  struct BackReference {  // an entry of REFERENCE_LIST, laid out as H5DS's ds_list_t
    hobj_ref_t dataset;
    int dimension;
  };
  std::string path_;
  std::vector<std::pair<hid_t, std::vector<BackReference>>> back_references_;  // per scale
};
// The `units` (when not empty) and `long_name` attributes.
void describe(Path path, const Handle& dataset, std::string_view units, std::string_view long_name);

}  // namespace xsector::hdf5
