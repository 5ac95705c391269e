// Collaboration (MODEL.md 7.3, 11.5-11.7). First every collaboration whose stage is due is
// resolved: pass draws read start-of-phase state in parallel, effects are applied serially
// in creation order. Then new collaborations are initiated in five steps whose conflicts
// are settled by data, not by thread timing: clients decide and reserve a slot (each writes
// only itself), initiators pick whom to invite, invitations are grouped by invitee, each
// invitee accepts by (trust descending, keyed hash, initiator), and collaborations are
// created in initiator order. Every step after the first touches only the initiators and
// their invitations, a few percent of the clients.
#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "core/exact_divisor.hpp"
#include "core/capacity_bytes.hpp"
#include "core/parallel.hpp"
#include "model/tie_break.hpp"
#include "model/world.hpp"
#include "core/prefetch.hpp"
#include "core/random.hpp"

namespace xsector {
namespace {

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Inputs of the stage pass test that also set the public value of a success.
struct StageInputs {
  double ce;  // effective capacity: 0.5 lead + 0.5 mean partner
  double pass_probability;
};

StageInputs stage_inputs(const World& w, std::size_t k) {
  const auto& cp = w.params.collab;
  const auto& c = w.agents.clients;
  const Collaborations& col = w.collabs;
  const NodeId lead = col.lead[k];
  const int n = col.partner_count[k];
  double partner_capacity = 0, trust = 0;
  for (int i = 0; i < n; ++i) {
    partner_capacity += c.capacity[col.partners_of(k)[i]];
    trust += w.agents.trust[col.ties_of(k)[i]];
  }
  const double ce = 0.5 * c.capacity[lead] + 0.5 * partner_capacity / n;
  const double tm = trust / n;
  const double compliance = c.compliance[lead] * (1.0 - (c.toolkit[lead] ? 0.5 : 0.0));
  const double x = cp.beta0 + cp.beta_capacity * ce + cp.beta_trust * tm - cp.beta_compliance * compliance +
                   cp.beta_support * (col.supported[k] ? 1.0 : 0.0);
  return {ce, logistic(x)};
}

// Asks the memory system early for what stage_inputs(k) will read at random: the rows of
// the lead and partners and the trust of their ties. With millions of agents each is a
// cache miss; issued a few collaborations ahead, they overlap instead of queueing.
void prefetch_stage_inputs(const World& w, std::size_t k) {
  const auto& c = w.agents.clients;
  const Collaborations& col = w.collabs;
  prefetch(&c.capacity[col.lead[k]]);
  prefetch(&c.compliance[col.lead[k]]);
  prefetch(&c.toolkit[col.lead[k]]);
  for (int i = 0; i < col.partner_count[k]; ++i) {
    prefetch(&c.capacity[col.partners_of(k)[i]]);
    prefetch(&w.agents.trust[col.ties_of(k)[i]]);
  }
}

// The same for what resolving k will change, now that its outcome is known: nothing when
// it passes a stage before the last (most do); the trust of its ties and the members'
// active counts when it ends; and the members' capacity when it succeeds.
void prefetch_effects(const World& w, std::size_t k) {
  const auto& c = w.agents.clients;
  const Collaborations& col = w.collabs;
  const std::int8_t outcome = w.collaboration_workspace.outcome[k];
  const bool succeeds = outcome == 1 && col.stage[k] + 1 == kStageCount;
  if (outcome != 0 && !succeeds) return;
  prefetch(&c.active[col.lead[k]]);
  if (succeeds) prefetch(&c.capacity[col.lead[k]]);
  for (int i = 0; i < col.partner_count[k]; ++i) {
    prefetch(&c.active[col.partners_of(k)[i]]);
    if (succeeds) prefetch(&c.capacity[col.partners_of(k)[i]]);
    prefetch(&w.agents.trust[col.ties_of(k)[i]]);
  }
}

// The stream of a collaboration's pass draw: a lead starts at most one collaboration per
// tick, so (lead, creation tick) names it; stage_start of stage 0 is the creation tick.
bool draw_pass(const World& w, const AgentDraws& draws, std::size_t k, double p, std::int64_t created) {
  const std::uint64_t id = (static_cast<std::uint64_t>(created) << 32) | w.collabs.lead[k];
  return draws.bernoulli(id, p);
}

void adjust_trust(World& w, std::size_t k, double step) {
  for (int i = 0; i < w.collabs.partner_count[k]; ++i) {
    double& t = w.agents.trust[w.collabs.ties_of(k)[i]];
    t = std::clamp(t + step, 0.0, 1.0);
  }
}

void release_members(World& w, std::size_t k) {
  --w.agents.clients.active[w.collabs.lead[k]];
  for (int i = 0; i < w.collabs.partner_count[k]; ++i) --w.agents.clients.active[w.collabs.partners_of(k)[i]];
}

int distinct_sectors(const World& w, std::size_t k) {
  std::array<bool, kClientSectorCount> seen{};
  seen[index_of(w.sector_of(w.collabs.lead[k]))] = true;
  for (int i = 0; i < w.collabs.partner_count[k]; ++i)
    seen[index_of(w.sector_of(w.collabs.partners_of(k)[i]))] = true;
  return static_cast<int>(std::count(seen.begin(), seen.end(), true));
}

void succeed(World& w, std::size_t k, double ce, TickFlows& flows) {
  const auto& cp = w.params.collab;
  const int lead_sector = index_of(w.sector_of(w.collabs.lead[k]));
  flows.public_value[lead_sector] += cp.value * (1.0 + 0.5 * (distinct_sectors(w, k) - 1)) * ce;
  flows.collab_succeeded[lead_sector] += 1;
  adjust_trust(w, k, cp.trust_step);
  auto& c = w.agents.clients;
  auto learn = [&](NodeId v) { c.capacity[v] += cp.learning * (1.0 - c.capacity[v]); };
  learn(w.collabs.lead[k]);
  for (int i = 0; i < w.collabs.partner_count[k]; ++i) learn(w.collabs.partners_of(k)[i]);
}

void resolve_due_stages(World& w, const TickContext& ctx, TickFlows& flows) {
  Collaborations& col = w.collabs;
  auto& ws = w.collaboration_workspace;
  const std::int64_t ticks_per_stage = w.params.collab.ticks_per_stage;
  ws.outcome.assign(col.size(), -1);
  ws.ended.assign(col.size(), 0);
  std::vector<double>& ce = ws.ce;  // the pass test's ce, reused by V on success
  ce.assign(col.size(), 0.0);
  // Stage 0 starts at creation; later stages start ticks_per_stage × stage after it.
  auto created = [&](std::size_t k) { return col.stage_start[k] - ticks_per_stage * col.stage[k]; };
  const AgentDraws draws(w.run_seed, static_cast<std::uint64_t>(ctx.tick), Purpose::stage_pass);
  constexpr std::size_t kAhead = 8;  // collaborations between a prefetch and its use
  for_each_index(col.size(), [&](std::size_t k) {
    look_ahead(k, kAhead, col.size(), [&](std::size_t later) { prefetch_stage_inputs(w, later); });
    if (ctx.tick - col.stage_start[k] < ticks_per_stage) return;
    const StageInputs in = stage_inputs(w, k);
    ce[k] = in.ce;
    ws.outcome[k] = draw_pass(w, draws, k, in.pass_probability, created(k)) ? 1 : 0;
  });
  // Effects in creation order (MODEL.md 11.7). Serial, so the rows it will change are
  // fetched a few collaborations ahead.
  for (std::size_t k = 0; k < col.size(); ++k) {
    // Fewer lines per collaboration than the inputs: fetched further ahead.
    look_ahead(k, 2 * kAhead, col.size(), [&](std::size_t later) { prefetch_effects(w, later); });
    if (ws.outcome[k] < 0) continue;
    const int lead_sector = index_of(w.sector_of(col.lead[k]));
    if (ws.outcome[k] == 0) {
      flows.collab_failed[lead_sector] += 1;
      if (col.stage[k] <= 1) flows.collab_failed_early[lead_sector] += 1;
      flows.failed_by_stage[col.stage[k]] += 1;
      adjust_trust(w, k, -w.params.collab.trust_step);
      ws.ended[k] = 1;
    } else if (col.stage[k] + 1 == kStageCount) {
      succeed(w, k, ce[k], flows);
      ws.ended[k] = 1;
    } else {
      ++col.stage[k];
      col.stage_start[k] = ctx.tick;
      col.supported[k] = 0;
    }
    if (ws.ended[k]) release_members(w, k);
  }
  col.erase_flagged(ws.ended);
}

// A candidate partner (or an invitation, seen by its invitee), ordered by (trust
// descending, keyed hash ascending, node ascending): tie_break.hpp.
// No default member initialisers: invite() keeps an uninitialised array of 256 on the
// stack, and zeroing it cost more than the rest of the call.
struct Candidate {
  double trust;
  NodeId node;
  std::uint32_t ref;  // the tie (invitations), or the invitation slot (acceptance)
  mutable std::uint64_t hash;
  mutable bool hashed;
};
using CandidateOrder = TieBreakOrder<Candidate, &Candidate::trust, &Candidate::node>;

// Step 1 for the clients of positions [begin, end): decide to initiate and reserve a slot
// (each writes only itself), flags[i] = 1 for those that do. First the clients with a free
// slot are listed with their hazard, then drawn for in a tight loop (as in diffusion.cpp:
// successive Philox draws overlap when nothing else is in the loop).
void decide_block(World& w, const AgentDraws& draws, std::size_t begin, std::size_t end, std::uint8_t* flags) {
  auto& c = w.agents.clients;
  const ExactDivisor per_tick(static_cast<double>(w.params.simulation.ticks_per_year));
  const std::int64_t max_active = w.params.collab.max_active;
  NodeId who[kBlockSize];
  std::uint16_t at[kBlockSize];  // position - begin
  double rate[kBlockSize], u[kBlockSize];
  std::size_t m = 0;
  for (std::size_t i = begin; i != end; ++i) {
    const NodeId v = c.ids[i];
    flags[i] = 0;
    who[m] = v;
    at[m] = static_cast<std::uint16_t>(i - begin);
    rate[m] = per_tick.divide(w.params.sector[index_of(w.network.sector(v))].collab_rate * c.mindset[v]);
    m += c.active[v] < max_active ? 1 : 0;  // a full client's entry is overwritten by the next
  }
  draws.uniforms(who, m, u);
  for (std::size_t k = 0; k < m; ++k) {
    if (!hazard_happens(u[k], rate[k])) continue;  // probability 1 - exp(-rate)
    ++c.active[who[k]];
    flags[begin + at[k]] = 1;
  }
}

// The neighbours of v and their ties (each row is one or two cache lines).
void prefetch_row(const World& w, NodeId v) {
  const auto neighbours = w.network.neighbours(v);
  if (neighbours.empty()) return;
  prefetch(neighbours.data());
  prefetch(neighbours.data() + neighbours.size() - 1);
  prefetch(w.network.ties_of(v));
  prefetch(w.network.ties_of(v) + neighbours.size() - 1);
}

// The trust of the ties that invite(v) will compare: those to clients of other sectors.
// Reads v's row, which prefetch_row fetched earlier.
void prefetch_candidate_trust(const World& w, NodeId v) {
  const Sector sector = w.sector_of(v);
  const auto neighbours = w.network.neighbours(v);
  const TieId* const ties = w.network.ties_of(v);
  for (std::size_t e = 0; e < neighbours.size(); ++e) {
    const Sector su = w.sector_of(neighbours[e]);
    if (is_client(su) && su != sector) prefetch(&w.agents.trust[ties[e]]);
  }
}

// Step 2 for the initiator at position p: invite the `stride` best cross-sector client
// neighbours, best first (insertion into a short sorted list).
void invite(World& w, const AgentDraws& hashes, std::size_t p) {
  auto& ws = w.collaboration_workspace;
  const std::size_t stride = w.collabs.stride();
  const NodeId v = ws.initiators[p];
  const Sector sector = w.sector_of(v);
  const CandidateOrder before(hashes, v);
  Candidate best[256];  // stride = collab.partners, validated to be at most 100
  std::size_t kept = 0;
  const auto neighbours = w.network.neighbours(v);
  const TieId* const ties = w.network.ties_of(v);
  for (std::size_t e = 0; e < neighbours.size(); ++e) {
    const NodeId u = neighbours[e];
    const Sector su = w.sector_of(u);
    if (!is_client(su) || su == sector) continue;
    const TieId tie = ties[e];
    const Candidate cand{w.agents.trust[tie], u, tie, 0, false};
    if (kept == stride && !before(cand, best[kept - 1])) continue;
    std::size_t at = kept < stride ? kept++ : kept - 1;  // when full, the last one drops out
    for (; at > 0 && before(cand, best[at - 1]); --at) best[at] = best[at - 1];
    best[at] = cand;
  }
  for (std::size_t i = 0; i < kept; ++i) {
    ws.invitee[p * stride + i] = best[i].node;
    ws.invite_tie[p * stride + i] = best[i].ref;
    ws.accepted[p * stride + i] = 0;
  }
  ws.invite_count[p] = static_cast<std::uint8_t>(kept);
}

// Sorts keys by their high 32 bits, stably, by least-significant-digit radix passes over
// only as many bits as `max_high` needs: O(keys) where a comparison sort would be
// O(keys log keys). `tmp` is scratch.
void sort_by_high_word(std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& tmp, std::uint64_t max_high) {
  constexpr int kDigitBits = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
  tmp.resize(keys.size());
  std::array<std::uint32_t, kBuckets> count;
  for (int shift = 32; shift < 64 && (max_high >> (shift - 32)) != 0; shift += kDigitBits) {
    count.fill(0);
    for (std::uint64_t k : keys) ++count[(k >> shift) & (kBuckets - 1)];
    std::uint32_t sum = 0;
    for (auto& c : count) sum += std::exchange(c, sum);
    for (std::uint64_t k : keys) tmp[count[(k >> shift) & (kBuckets - 1)]++] = k;
    keys.swap(tmp);
  }
}

// Step 3: invitation slots (initiator position × stride + i) grouped by invitee.
void group_invitations(World& w) {
  auto& ws = w.collaboration_workspace;
  const std::size_t stride = w.collabs.stride();
  if (ws.initiators.size() * stride > 0xffffffffULL) throw std::length_error("too many invitations in one tick");
  ws.by_invitee.clear();
  for (std::size_t p = 0; p < ws.initiators.size(); ++p)
    for (std::size_t i = 0; i < ws.invite_count[p]; ++i) {
      const std::uint64_t slot = p * stride + i;
      ws.by_invitee.push_back(static_cast<std::uint64_t>(ws.invitee[slot]) << 32 | slot);
    }
  sort_by_high_word(ws.by_invitee, ws.sort_scratch, w.network.node_count());
}

// Step 4 for the invitations [begin, end) of one invitee: accept the best while it has
// free slots. With at least as many free slots as invitations the order does not matter,
// and nothing is ranked.
void accept_invitations(World& w, const AgentDraws& hashes, std::size_t begin, std::size_t end) {
  auto& ws = w.collaboration_workspace;
  auto& c = w.agents.clients;
  const std::size_t stride = w.collabs.stride();
  const NodeId u = static_cast<NodeId>(ws.by_invitee[begin] >> 32);
  auto slot = [&](std::size_t k) { return static_cast<std::uint32_t>(ws.by_invitee[k]); };
  const std::int64_t free = w.params.collab.max_active - c.active[u];
  if (free <= 0) return;
  const std::size_t count = end - begin;
  if (count <= static_cast<std::size_t>(free)) {
    for (std::size_t k = begin; k < end; ++k) ws.accepted[slot(k)] = 1;
    c.active[u] = static_cast<std::uint8_t>(c.active[u] + count);
    return;
  }
  thread_local std::vector<Candidate> offers;  // grows to the largest contested group, then stays
  offers.clear();
  for (std::size_t k = begin; k < end; ++k) {
    const std::uint32_t s = slot(k);
    offers.push_back({w.agents.trust[ws.invite_tie[s]], ws.initiators[s / stride], s, 0, false});
  }
  const auto taken = offers.begin() + free;
  std::partial_sort(offers.begin(), taken, offers.end(), CandidateOrder(hashes, u));
  for (auto it = offers.begin(); it != taken; ++it) ws.accepted[it->ref] = 1;
  c.active[u] = static_cast<std::uint8_t>(c.active[u] + free);
}

// Step 4 in parallel: each block of the sorted invitations takes the invitees whose first
// invitation lies in it.
void accept_all(World& w, const TickContext& ctx) {
  const auto& keys = w.collaboration_workspace.by_invitee;
  const AgentDraws hashes(w.run_seed, static_cast<std::uint64_t>(ctx.tick), Purpose::accept_tiebreak);
  auto invitee = [&](std::size_t k) { return keys[k] >> 32; };
  for_each_block(keys.size(), [&](std::size_t begin, std::size_t end, std::size_t) {
    std::size_t k = begin;
    while (k < end && k > 0 && invitee(k) == invitee(k - 1)) ++k;  // that invitee is the previous block's
    while (k < end) {
      std::size_t group_end = k + 1;
      while (group_end < keys.size() && invitee(group_end) == invitee(k)) ++group_end;
      accept_invitations(w, hashes, k, group_end);
      k = group_end;
    }
  });
}

// Step 5: collaborations in initiator order; no accepting partner: the initiative lapses.
void create_collaborations(World& w, const TickContext& ctx, TickFlows& flows) {
  auto& ws = w.collaboration_workspace;
  const std::size_t stride = w.collabs.stride();
  NodeId partners[256];
  TieId ties[256];
  for (std::size_t p = 0; p < ws.initiators.size(); ++p) {
    const NodeId v = ws.initiators[p];
    const int sector = index_of(w.sector_of(v));
    std::uint8_t n = 0;
    for (std::size_t i = 0; i < ws.invite_count[p]; ++i) {
      if (!ws.accepted[p * stride + i]) continue;
      partners[n] = ws.invitee[p * stride + i];
      ties[n++] = ws.invite_tie[p * stride + i];
    }
    if (n == 0) {
      --w.agents.clients.active[v];
      flows.collab_lapsed[sector] += 1;
      continue;
    }
    w.collabs.append(v, partners, ties, n, ctx.tick);
    flows.collab_started[sector] += 1;
  }
}

void initiate(World& w, const TickContext& ctx, TickFlows& flows) {
  auto& ws = w.collaboration_workspace;
  const auto& ids = w.agents.clients.ids;
  const auto tick = static_cast<std::uint64_t>(ctx.tick);
  const AgentDraws decisions(w.run_seed, tick, Purpose::initiate);
  ordered_filter_blocks(
      ids.size(),
      [&](std::size_t begin, std::size_t end, std::uint8_t* flags) { decide_block(w, decisions, begin, end, flags); },
      [&](std::size_t i) { return ids[i]; }, ws.initiators, ws.initiates, ws.block_offsets);
  const std::size_t slots = ws.initiators.size() * w.collabs.stride();
  ws.invitee.resize(slots);
  ws.invite_tie.resize(slots);
  ws.accepted.resize(slots);
  ws.invite_count.resize(ws.initiators.size());
  const AgentDraws invite_hashes(w.run_seed, tick, Purpose::invite_tiebreak);
  // What invite() reads is a chain of cache misses (initiators are a few percent of the
  // nodes, spread out): the row start, then the neighbours and their ties, then the trust
  // of each tie. Each link is fetched a few initiators ahead of the one that needs it.
  const auto& row_start = w.network.graph().m_forward.m_rowstart;
  const std::size_t initiators = ws.initiators.size();
  for_each_index(initiators, [&](std::size_t p) {
    look_ahead(p, 12, initiators, [&](std::size_t later) { prefetch(&row_start[ws.initiators[later]]); });
    look_ahead(p, 8, initiators, [&](std::size_t later) { prefetch_row(w, ws.initiators[later]); });
    look_ahead(p, 4, initiators, [&](std::size_t later) { prefetch_candidate_trust(w, ws.initiators[later]); });
    invite(w, invite_hashes, p);
  });
  group_invitations(w);
  accept_all(w, ctx);
  create_collaborations(w, ctx, flows);
}

}  // namespace

void run_collaboration(World& w, const TickContext& ctx, TickFlows& flows) {
  resolve_due_stages(w, ctx, flows);
  initiate(w, ctx, flows);
}

std::size_t CollaborationWorkspace::capacity_bytes() const {
  return xsector::capacity_bytes(outcome, ended, ce, initiates, initiators, invitee, invite_tie, accepted,
                                 invite_count, by_invitee, sort_scratch, block_offsets);
}

}  // namespace xsector
