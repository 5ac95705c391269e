// Suggestions for a misspelt key, table or choice: the nearest candidate by edit distance.
#include <algorithm>

#include "scenario/param_table.hpp"

namespace xsector {
namespace {

// Levenshtein distance: insertions, deletions and substitutions each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string_view last_component(std::string_view path) {
  const auto dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_score = std::string::npos;
  for (const std::string& candidate : candidates) {
    // A misplaced key (`years` at top level) matches on its last component.
    const std::size_t score =
        std::min(edit_distance(word, candidate), edit_distance(last_component(word), last_component(candidate)) + 1);
    if (score < best_score) {
      best_score = score;
      best = candidate;
    }
  }
  const std::size_t allowed = std::max<std::size_t>(2, word.size() / 3);
  return best_score <= allowed ? best : std::string();
}

}  // namespace xsector
