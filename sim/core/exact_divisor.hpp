#pragma once
// Division by a fixed divisor, as a multiplication when that gives the same bits.
//
// x / d and x * (1 / d) are the correctly rounded values of the same real number when 1 / d
// is exact, i.e. when d is a power of two (ticks_per_year = 4, the default): then the
// multiplication is used, which costs a fraction of a division in a loop over millions of
// agents. For any other d it divides. Either way the result is bit for bit x / d.
#include <cmath>

namespace xsector {

class ExactDivisor {
 public:
  explicit ExactDivisor(double d) : d_(d), inverse_(1.0 / d) {
    int exponent = 0;
    power_of_two_ = std::isfinite(d) && d != 0.0 && std::abs(std::frexp(d, &exponent)) == 0.5 &&
                    std::isnormal(inverse_);
  }
  double divide(double x) const { return power_of_two_ ? x * inverse_ : x / d_; }

 private:
  double d_, inverse_;
  bool power_of_two_;
};

}  // namespace xsector
