#pragma once
// std::visit with one lambda per alternative.

namespace xsector {

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
// Clang 14 lacks class template argument deduction for aggregates (P1816).
template <class... F>
overloaded(F...) -> overloaded<F...>;

}  // namespace xsector
