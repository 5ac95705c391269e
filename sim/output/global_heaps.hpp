#pragma once
// Internal to the output layer: a check of a results file's global heap collections (where
// HDF5 keeps variable-length strings) before libhdf5 reads them.
//
// Debian's libhdf5 1.10.8 loads a collection by stepping from object to object by each
// object's stored size, unchecked: a free-space object (index 0) of size 0 never advances
// (fuzz finding F6, docs/RELIABILITY.md), and a size past the collection's end wraps the
// cursor back into or before the collection (F7). Nothing can interrupt the loop, so a
// damaged file would hang `info`, `merge` and `--resume`. HDF5 itself never writes such an
// object (objects lie inside their collection; a full one has no free-space object), so
// finding one means the file is damaged.
#include "output/hdf5_handles.hpp"

namespace xsector::hdf5 {

// Throws OutputError naming the file and the collection's byte offset when libhdf5 would
// loop (or read outside the collection) loading one of its collections. Scans the whole file once, memory-mapped (`info` of
// a 400 MB file takes 0.06 s in all from the page cache); a file unchanged since its last
// check (same device, inode, size and modification time) is not scanned again in this
// process, since `merge` and `--resume` open a file once per run.
void check_global_heaps(Path path);

}  // namespace xsector::hdf5
