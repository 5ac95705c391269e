#pragma once
// Bytes reserved by vectors (capacity, not size): the memory a run holds (`xsector_bench`,
// the memory estimate's check).
#include <cstddef>

namespace xsector {

template <class... Vectors>
std::size_t capacity_bytes(const Vectors&... vectors) {
  return ((vectors.capacity() * sizeof(typename Vectors::value_type)) + ... + 0);
}

}  // namespace xsector
