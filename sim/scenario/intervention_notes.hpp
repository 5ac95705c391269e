#pragma once
// Notes about a valid scenario that is probably not what its author meant. Two active
// interventions of one type are allowed (docs/MODEL.md 7.7; which keys a later table
// replaces and which add is intervention_effects.hpp), but one that a later table replaces
// over its whole window never takes effect, which is almost always a mistake. `validate`,
// `run` and `sweep` print these to stderr; they do not change the exit code.
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace xsector {

// One line per pair (earlier, later) of interventions where the later replaces something
// of the earlier over an overlap of their windows, e.g.
//   note: a.toml: intervention.1 (foundation_public_support, years 0-2) replaces
//   intervention.0 (years 0-2) from year 0; intervention.0 never takes effect
// When some keys of the type add, the note names the keys replaced ("'s boost").
std::vector<std::string> intervention_notes(const Scenario& scenario);

}  // namespace xsector
