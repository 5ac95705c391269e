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

StageInputs stage_inputs(const World& world, std::size_t k) {
  const auto& collab_params = world.params.collab;
  const auto& clients = world.agents.clients;
  const Collaborations& collabs = world.collabs;
  const NodeId lead = collabs.lead[k];
  const int n = collabs.partner_count[k];
  double partner_capacity = 0, trust = 0;
  for (int i = 0; i < n; ++i) {
    partner_capacity += clients.capacity[collabs.partners_of(k)[i]];
    trust += world.agents.trust[collabs.ties_of(k)[i]];
  }
  const double ce = 0.5 * clients.capacity[lead] + 0.5 * partner_capacity / n;
  const double tm = trust / n;
  const double compliance = clients.compliance[lead] * (1.0 - (clients.toolkit[lead] ? 0.5 : 0.0));
  const double x = collab_params.beta0 + collab_params.beta_capacity * ce + collab_params.beta_trust * tm -
                   collab_params.beta_compliance * compliance +
                   collab_params.beta_support * (collabs.supported[k] ? 1.0 : 0.0);
  return {ce, logistic(x)};
}

// Asks the memory system early for what stage_inputs(k) will read at random: the rows of
// the lead and partners and the trust of their ties. With millions of agents each is a
// cache miss; issued a few collaborations ahead, they overlap instead of queueing.
void prefetch_stage_inputs(const World& world, std::size_t k) {
  const auto& clients = world.agents.clients;
  const Collaborations& collabs = world.collabs;
  prefetch(&clients.capacity[collabs.lead[k]]);
  prefetch(&clients.compliance[collabs.lead[k]]);
  prefetch(&clients.toolkit[collabs.lead[k]]);
  for (int i = 0; i < collabs.partner_count[k]; ++i) {
    prefetch(&clients.capacity[collabs.partners_of(k)[i]]);
    prefetch(&world.agents.trust[collabs.ties_of(k)[i]]);
  }
}

// The same for what resolving k will change, now that its outcome is known: nothing when
// it passes a stage before the last (most do); the trust of its ties and the members'
// active counts when it ends; and the members' capacity when it succeeds.
void prefetch_effects(const World& world, std::size_t k) {
  const auto& clients = world.agents.clients;
  const Collaborations& collabs = world.collabs;
  const std::int8_t outcome = world.collaboration_workspace.outcome[k];
  const bool succeeds = outcome == 1 && collabs.stage[k] + 1 == kStageCount;
  if (outcome != 0 && !succeeds) return;
  prefetch(&clients.active[collabs.lead[k]]);
  if (succeeds) prefetch(&clients.capacity[collabs.lead[k]]);
  for (int i = 0; i < collabs.partner_count[k]; ++i) {
    prefetch(&clients.active[collabs.partners_of(k)[i]]);
    if (succeeds) prefetch(&clients.capacity[collabs.partners_of(k)[i]]);
    prefetch(&world.agents.trust[collabs.ties_of(k)[i]]);
  }
}

// The stream of a collaboration's pass draw: a lead starts at most one collaboration per
// tick, so (lead, creation tick) names it; stage_start of stage 0 is the creation tick.
bool draw_pass(const World& world, const AgentDraws& draws, std::size_t k, double p, std::int64_t created) {
  const std::uint64_t id = (static_cast<std::uint64_t>(created) << 32) | world.collabs.lead[k];
  return draws.bernoulli(id, p);
}

void adjust_trust(World& world, std::size_t k, double step) {
  for (int i = 0; i < world.collabs.partner_count[k]; ++i) {
    double& t = world.agents.trust[world.collabs.ties_of(k)[i]];
    t = std::clamp(t + step, 0.0, 1.0);
  }
}

void release_members(World& world, std::size_t k) {
  --world.agents.clients.active[world.collabs.lead[k]];
  for (int i = 0; i < world.collabs.partner_count[k]; ++i)
    --world.agents.clients.active[world.collabs.partners_of(k)[i]];
}

int distinct_sectors(const World& world, std::size_t k) {
  std::array<bool, kClientSectorCount> seen{};
  seen[index_of(world.sector_of(world.collabs.lead[k]))] = true;
  for (int i = 0; i < world.collabs.partner_count[k]; ++i)
    seen[index_of(world.sector_of(world.collabs.partners_of(k)[i]))] = true;
  return static_cast<int>(std::count(seen.begin(), seen.end(), true));
}

void succeed(World& world, std::size_t k, double ce, TickFlows& flows) {
  const auto& collab_params = world.params.collab;
  const int lead_sector = index_of(world.sector_of(world.collabs.lead[k]));
  flows.public_value[lead_sector] += collab_params.value * (1.0 + 0.5 * (distinct_sectors(world, k) - 1)) * ce;
  flows.collab_succeeded[lead_sector] += 1;
  adjust_trust(world, k, collab_params.trust_step);
  auto& clients = world.agents.clients;
  auto learn = [&](NodeId v) { clients.capacity[v] += collab_params.learning * (1.0 - clients.capacity[v]); };
  learn(world.collabs.lead[k]);
  for (int i = 0; i < world.collabs.partner_count[k]; ++i) learn(world.collabs.partners_of(k)[i]);
}

void resolve_due_stages(World& world, const TickContext& ctx, TickFlows& flows) {
  Collaborations& collabs = world.collabs;
  auto& workspace = world.collaboration_workspace;
  const std::int64_t ticks_per_stage = world.params.collab.ticks_per_stage;
  workspace.outcome.assign(collabs.size(), -1);
  workspace.ended.assign(collabs.size(), 0);
  std::vector<double>& ce = workspace.ce;  // the pass test's ce, reused by V on success
  ce.assign(collabs.size(), 0.0);
  // Stage 0 starts at creation; later stages start ticks_per_stage × stage after it.
  auto created = [&](std::size_t k) { return collabs.stage_start[k] - ticks_per_stage * collabs.stage[k]; };
  const AgentDraws draws(world.run_seed, static_cast<std::uint64_t>(ctx.tick), Purpose::stage_pass);
  constexpr std::size_t kAhead = 8;  // collaborations between a prefetch and its use
  for_each_index(collabs.size(), [&](std::size_t k) {
    look_ahead(k, kAhead, collabs.size(), [&](std::size_t later) { prefetch_stage_inputs(world, later); });
    if (ctx.tick - collabs.stage_start[k] < ticks_per_stage) return;
    const StageInputs in = stage_inputs(world, k);
    ce[k] = in.ce;
    workspace.outcome[k] = draw_pass(world, draws, k, in.pass_probability, created(k)) ? 1 : 0;
  });
  // Effects in creation order (MODEL.md 11.7). Serial, so the rows it will change are
  // fetched a few collaborations ahead.
  for (std::size_t k = 0; k < collabs.size(); ++k) {
    // Fewer lines per collaboration than the inputs: fetched further ahead.
    look_ahead(k, 2 * kAhead, collabs.size(), [&](std::size_t later) { prefetch_effects(world, later); });
    if (workspace.outcome[k] < 0) continue;
    const int lead_sector = index_of(world.sector_of(collabs.lead[k]));
    if (workspace.outcome[k] == 0) {
      flows.collab_failed[lead_sector] += 1;
      if (collabs.stage[k] <= 1) flows.collab_failed_early[lead_sector] += 1;
      flows.failed_by_stage[collabs.stage[k]] += 1;
      adjust_trust(world, k, -world.params.collab.trust_step);
      workspace.ended[k] = 1;
    } else if (collabs.stage[k] + 1 == kStageCount) {
      succeed(world, k, ce[k], flows);
      workspace.ended[k] = 1;
    } else {
      ++collabs.stage[k];
      collabs.stage_start[k] = ctx.tick;
      collabs.supported[k] = 0;
    }
    if (workspace.ended[k]) release_members(world, k);
  }
  collabs.erase_flagged(workspace.ended);
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
void decide_block(World& world, const AgentDraws& draws, std::size_t begin, std::size_t end, std::uint8_t* flags) {
  auto& clients = world.agents.clients;
  const ExactDivisor per_tick(static_cast<double>(world.params.simulation.ticks_per_year));
  const std::int64_t max_active = world.params.collab.max_active;
  NodeId who[kBlockSize];
  std::uint16_t at[kBlockSize];  // position - begin
  double rate[kBlockSize], u[kBlockSize];
  std::size_t m = 0;
  for (std::size_t i = begin; i != end; ++i) {
    const NodeId v = clients.ids[i];
    flags[i] = 0;
    who[m] = v;
    at[m] = static_cast<std::uint16_t>(i - begin);
    rate[m] = per_tick.divide(world.params.sector[index_of(world.network.sector(v))].collab_rate * clients.mindset[v]);
    m += clients.active[v] < max_active ? 1 : 0;  // a full client's entry is overwritten by the next
  }
  draws.uniforms(who, m, u);
  for (std::size_t k = 0; k < m; ++k) {
    if (!hazard_happens(u[k], rate[k])) continue;  // probability 1 - exp(-rate)
    ++clients.active[who[k]];
    flags[begin + at[k]] = 1;
  }
}

// The neighbours of v and their ties (each row is one or two cache lines).
void prefetch_row(const World& world, NodeId v) {
  const auto neighbours = world.network.neighbours(v);
  if (neighbours.empty()) return;
  prefetch(neighbours.data());
  prefetch(neighbours.data() + neighbours.size() - 1);
  prefetch(world.network.ties_of(v));
  prefetch(world.network.ties_of(v) + neighbours.size() - 1);
}

// The trust of the ties that invite(v) will compare: those to clients of other sectors.
// Reads v's row, which prefetch_row fetched earlier.
void prefetch_candidate_trust(const World& world, NodeId v) {
  const Sector sector = world.sector_of(v);
  const auto neighbours = world.network.neighbours(v);
  const TieId* const ties = world.network.ties_of(v);
  for (std::size_t e = 0; e < neighbours.size(); ++e) {
    const Sector su = world.sector_of(neighbours[e]);
    if (is_client(su) && su != sector) prefetch(&world.agents.trust[ties[e]]);
  }
}

// Step 2 for the initiator at position p: invite the `stride` best cross-sector client
// neighbours, best first (insertion into a short sorted list).
void invite(World& world, const AgentDraws& hashes, std::size_t p) {
  auto& workspace = world.collaboration_workspace;
  const std::size_t stride = world.collabs.stride();
  const NodeId v = workspace.initiators[p];
  const Sector sector = world.sector_of(v);
  const CandidateOrder before(hashes, v);
  Candidate best[256];  // stride = collab.partners, validated to be at most 100
  std::size_t kept = 0;
  const auto neighbours = world.network.neighbours(v);
  const TieId* const ties = world.network.ties_of(v);
  for (std::size_t e = 0; e < neighbours.size(); ++e) {
    const NodeId u = neighbours[e];
    const Sector su = world.sector_of(u);
    if (!is_client(su) || su == sector) continue;
    const TieId tie = ties[e];
    const Candidate cand{world.agents.trust[tie], u, tie, 0, false};
    if (kept == stride && !before(cand, best[kept - 1])) continue;
    std::size_t at = kept < stride ? kept++ : kept - 1;  // when full, the last one drops out
    for (; at > 0 && before(cand, best[at - 1]); --at) best[at] = best[at - 1];
    best[at] = cand;
  }
  for (std::size_t i = 0; i < kept; ++i) {
    workspace.invitee[p * stride + i] = best[i].node;
    workspace.invite_tie[p * stride + i] = best[i].ref;
    workspace.accepted[p * stride + i] = 0;
  }
  workspace.invite_count[p] = static_cast<std::uint8_t>(kept);
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
    for (auto& bucket : count) sum += std::exchange(bucket, sum);
    for (std::uint64_t k : keys) tmp[count[(k >> shift) & (kBuckets - 1)]++] = k;
    keys.swap(tmp);
  }
}

// Step 3: invitation slots (initiator position × stride + i) grouped by invitee.
void group_invitations(World& world) {
  auto& workspace = world.collaboration_workspace;
  const std::size_t stride = world.collabs.stride();
  if (workspace.initiators.size() * stride > 0xffffffffULL) throw std::length_error("too many invitations in one tick");
  workspace.by_invitee.clear();
  for (std::size_t p = 0; p < workspace.initiators.size(); ++p)
    for (std::size_t i = 0; i < workspace.invite_count[p]; ++i) {
      const std::uint64_t slot = p * stride + i;
      workspace.by_invitee.push_back(static_cast<std::uint64_t>(workspace.invitee[slot]) << 32 | slot);
    }
  sort_by_high_word(workspace.by_invitee, workspace.sort_scratch, world.network.node_count());
}

// Step 4 for the invitations [begin, end) of one invitee: accept the best while it has
// free slots. With at least as many free slots as invitations the order does not matter,
// and nothing is ranked.
void accept_invitations(World& world, const AgentDraws& hashes, std::size_t begin, std::size_t end) {
  auto& workspace = world.collaboration_workspace;
  auto& clients = world.agents.clients;
  const std::size_t stride = world.collabs.stride();
  const NodeId u = static_cast<NodeId>(workspace.by_invitee[begin] >> 32);
  auto slot = [&](std::size_t k) { return static_cast<std::uint32_t>(workspace.by_invitee[k]); };
  const std::int64_t free = world.params.collab.max_active - clients.active[u];
  if (free <= 0) return;
  const std::size_t count = end - begin;
  if (count <= static_cast<std::size_t>(free)) {
    for (std::size_t k = begin; k < end; ++k) workspace.accepted[slot(k)] = 1;
    clients.active[u] = static_cast<std::uint8_t>(clients.active[u] + count);
    return;
  }
  thread_local std::vector<Candidate> offers;  // grows to the largest contested group, then stays
  offers.clear();
  for (std::size_t k = begin; k < end; ++k) {
    const std::uint32_t s = slot(k);
    offers.push_back({world.agents.trust[workspace.invite_tie[s]], workspace.initiators[s / stride], s, 0, false});
  }
  const auto taken = offers.begin() + free;
  std::partial_sort(offers.begin(), taken, offers.end(), CandidateOrder(hashes, u));
  for (auto it = offers.begin(); it != taken; ++it) workspace.accepted[it->ref] = 1;
  clients.active[u] = static_cast<std::uint8_t>(clients.active[u] + free);
}

// Step 4 in parallel: each block of the sorted invitations takes the invitees whose first
// invitation lies in it.
void accept_all(World& world, const TickContext& ctx) {
  const auto& keys = world.collaboration_workspace.by_invitee;
  const AgentDraws hashes(world.run_seed, static_cast<std::uint64_t>(ctx.tick), Purpose::accept_tiebreak);
  auto invitee = [&](std::size_t k) { return keys[k] >> 32; };
  for_each_block(keys.size(), [&](std::size_t begin, std::size_t end, std::size_t) {
    std::size_t k = begin;
    while (k < end && k > 0 && invitee(k) == invitee(k - 1)) ++k;  // that invitee is the previous block's
    while (k < end) {
      std::size_t group_end = k + 1;
      while (group_end < keys.size() && invitee(group_end) == invitee(k)) ++group_end;
      accept_invitations(world, hashes, k, group_end);
      k = group_end;
    }
  });
}

// Step 5: collaborations in initiator order; no accepting partner: the initiative lapses.
void create_collaborations(World& world, const TickContext& ctx, TickFlows& flows) {
  auto& workspace = world.collaboration_workspace;
  const std::size_t stride = world.collabs.stride();
  NodeId partners[256];
  TieId ties[256];
  for (std::size_t p = 0; p < workspace.initiators.size(); ++p) {
    const NodeId v = workspace.initiators[p];
    const int sector = index_of(world.sector_of(v));
    std::uint8_t n = 0;
    for (std::size_t i = 0; i < workspace.invite_count[p]; ++i) {
      if (!workspace.accepted[p * stride + i]) continue;
      partners[n] = workspace.invitee[p * stride + i];
      ties[n++] = workspace.invite_tie[p * stride + i];
    }
    if (n == 0) {
      --world.agents.clients.active[v];
      flows.collab_lapsed[sector] += 1;
      continue;
    }
    world.collabs.append(v, partners, ties, n, ctx.tick);
    flows.collab_started[sector] += 1;
  }
}

void initiate(World& world, const TickContext& ctx, TickFlows& flows) {
  auto& workspace = world.collaboration_workspace;
  const auto& ids = world.agents.clients.ids;
  const auto tick = static_cast<std::uint64_t>(ctx.tick);
  const AgentDraws decisions(world.run_seed, tick, Purpose::initiate);
  ordered_filter_blocks(
      ids.size(),
      [&](std::size_t begin, std::size_t end, std::uint8_t* flags) {
        decide_block(world, decisions, begin, end, flags);
      },
      [&](std::size_t i) { return ids[i]; }, workspace.initiators, workspace.initiates, workspace.block_offsets);
  const std::size_t slots = workspace.initiators.size() * world.collabs.stride();
  workspace.invitee.resize(slots);
  workspace.invite_tie.resize(slots);
  workspace.accepted.resize(slots);
  workspace.invite_count.resize(workspace.initiators.size());
  const AgentDraws invite_hashes(world.run_seed, tick, Purpose::invite_tiebreak);
  // What invite() reads is a chain of cache misses (initiators are a few percent of the
  // nodes, spread out): the row start, then the neighbours and their ties, then the trust
  // of each tie. Each link is fetched a few initiators ahead of the one that needs it.
  const auto& row_start = world.network.graph().m_forward.m_rowstart;
  const std::size_t initiators = workspace.initiators.size();
  for_each_index(initiators, [&](std::size_t p) {
    look_ahead(p, 12, initiators, [&](std::size_t later) { prefetch(&row_start[workspace.initiators[later]]); });
    look_ahead(p, 8, initiators, [&](std::size_t later) { prefetch_row(world, workspace.initiators[later]); });
    look_ahead(p, 4, initiators,
               [&](std::size_t later) { prefetch_candidate_trust(world, workspace.initiators[later]); });
    invite(world, invite_hashes, p);
  });
  group_invitations(world);
  accept_all(world, ctx);
  create_collaborations(world, ctx, flows);
}

}  // namespace

void run_collaboration(World& world, const TickContext& ctx, TickFlows& flows) {
  resolve_due_stages(world, ctx, flows);
  initiate(world, ctx, flows);
}

std::size_t CollaborationWorkspace::capacity_bytes() const {
  return xsector::capacity_bytes(outcome, ended, ce, initiates, initiators, invitee, invite_tie, accepted,
                                 invite_count, by_invitee, sort_scratch, block_offsets);
}

}  // namespace xsector
