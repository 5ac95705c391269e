#pragma once
// The five sectors of MODEL.md section 2. The numeric order is the node order of a
// generated network (MODEL.md 11.1) and the order of the `sector` axis in output files.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace xsector {

enum class Sector : std::uint8_t { government = 0, business = 1, nonprofit = 2, provider = 3, foundation = 4 };

inline constexpr int kSectorCount = 5;
inline constexpr int kClientSectorCount = 3;  // government, business, nonprofit
inline constexpr std::array<std::string_view, kSectorCount> kSectorNames = {
    "government", "business", "nonprofit", "provider", "foundation"};

inline constexpr int index_of(Sector s) { return static_cast<int>(s); }
inline constexpr bool is_client(Sector s) { return index_of(s) < kClientSectorCount; }
inline constexpr std::string_view name_of(Sector s) { return kSectorNames[index_of(s)]; }

inline std::optional<Sector> sector_from_name(std::string_view name) {
  for (int i = 0; i < kSectorCount; ++i)
    if (kSectorNames[i] == name) return static_cast<Sector>(i);
  return std::nullopt;
}

// Collaboration stages (MODEL.md 7.3), the `stage` axis of failed_by_stage.
inline constexpr int kStageCount = 4;
inline constexpr std::array<std::string_view, kStageCount> kStageNames = {"diagnose", "design", "implement",
                                                                           "evaluate"};

}  // namespace xsector
