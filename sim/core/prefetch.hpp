#pragma once
// Software prefetch that the compiler keeps.
//
// GCC treats __builtin_prefetch as free of side effects, so a helper function whose body is
// only prefetches is found "const" by its interprocedural analysis and every call to it is
// deleted as dead code (GCC 12 at -O3 does). An asm statement marked volatile is never
// deleted, wherever it sits.
#include <cstddef>

namespace xsector {

// Asks for the cache line holding p; a hint only, never faults.
inline void prefetch(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
  asm volatile("" : : "r"(p));  // keeps the call, and so the hint, alive
#endif
}

// The look-ahead of a loop over [0, n) that fetches, at index i, what index i + distance
// will read: calls fetch(i + distance) when that index exists.
template <class Fetch>
inline void look_ahead(std::size_t i, std::size_t distance, std::size_t n, Fetch&& fetch) {
  if (i + distance < n) fetch(i + distance);
}

}  // namespace xsector
