#include "model/simulation.hpp"

#include <algorithm>
#include <chrono>

#include "model/finite_check.hpp"
#include "core/parallel.hpp"
#include "model/phases.hpp"
#include "core/random.hpp"

namespace xsector {

std::uint64_t run_seed_of(const Scenario& scenario, RunIdentity run) {
  return derive_run_seed(scenario.params.simulation.seed, static_cast<std::uint64_t>(run.point),
                         static_cast<std::uint64_t>(run.replicate));
}

SectorLookup::SectorLookup(const Network& net) : sectors_(net.sectors().data()) {
  const auto& sectors = net.sectors();
  sorted_ = std::is_sorted(sectors.begin(), sectors.end());
  if (!sorted_) return;
  for (int k = 0; k < kSectorCount; ++k)
    start_[k] = static_cast<NodeId>(
        std::lower_bound(sectors.begin(), sectors.end(), static_cast<Sector>(k)) - sectors.begin());
}

World::World(const Params& p, const std::vector<Intervention>& ivs, Network net, std::uint64_t seed)
    : params(p),
      interventions(ivs),
      run_seed(seed),
      network(std::move(net)),
      agents(initialise_agents(p, network, seed)),
      collabs(static_cast<std::size_t>(p.collab.partners)),
      sector_of(network) {
  // Node-indexed buffers are sized here; the others grow with use and then stay.
  const std::size_t n = network.node_count();
  money_scratch.assign(n, 0.0);
  collab_ws.initiates.assign(agents.clients.ids.size(), 0);
  market_ws.leads_early.assign(n, 0);
  for (NodeId v : agents.clients.ids) {
    const Sector s = network.sector(v);
    if (s == Sector::business) continue;
    for (std::uint32_t e : agents.institutions.of(v))
      if (InstitutionLinks::is_foundation(e)) {
        grantees.push_back(v);
        break;
      }
  }
  market_ws.engaged.assign(n, 0);
}

double World::funds_held() const {
  const auto& c = agents.clients;
  return block_sum(
      c.ids.size(), [&](std::size_t i) { return c.funds[c.ids[i]]; }, block_sums);
}

namespace {
template <class... V>
std::size_t bytes_of(const V&... v) {
  return ((v.capacity() * sizeof(typename V::value_type)) + ... + 0);
}
}  // namespace

std::size_t World::workspace_bytes() const {
  const auto& c = collab_ws;
  const auto& m = market_ws;
  const auto& r = recording_ws;
  return bytes_of(adopter_neighbours, toolkit_bits, toolkit_bits_now, toolkit_changed, grantees, money_scratch, foundation_grant, block_sums) +
         bytes_of(c.outcome, c.ended, c.ce, c.initiates, c.initiators, c.invitee, c.invite_tie, c.accepted,
                  c.invite_count, c.by_invitee, c.sort_scratch, c.block_offsets) +
         bytes_of(m.leads_early, m.engaged, m.wants, m.demanders, m.option_offset, m.options, m.option_count, m.log_funds, m.next_option, m.matched,
                  m.visible, m.focus, m.held_offset, m.held_count, m.held, m.bids, m.proposal_offset, m.proposals,
                  m.proposers, m.buyers, m.group_counts, m.proposer_flags, m.unmatched_blocks,
                  m.block_offsets) +
         bytes_of(r.histogram, r.client_code, r.window_mask, r.window_values, r.chunk_start, r.member_blocks) +
         bytes_of(collabs.lead, collabs.partners, collabs.ties, collabs.partner_count, collabs.stage,
                  collabs.stage_start, collabs.supported);
}

Simulation::Simulation(const Scenario& scenario, RunIdentity run)
    : Simulation(scenario, run, network_for(scenario, run_seed_of(scenario, run))) {}

Simulation::Simulation(const Scenario& scenario, RunIdentity run, Network network)
    : scenario_(scenario),
      run_seed_(run_seed_of(scenario, run)),
      ticks_(scenario.params.simulation.years * scenario.params.simulation.ticks_per_year),
      world_(scenario.params, scenario.interventions, std::move(network), run_seed_),
      series_(static_cast<std::size_t>(ticks_)) {}

double PhaseTimes::total() const {
  double sum = 0;
  for (double s : seconds) sum += s;
  return sum;
}

namespace {

// Adds the time since the previous lap to a phase's total; does nothing without a target.
class PhaseClock {
 public:
  explicit PhaseClock(PhaseTimes* times) : times_(times) {
    if (times_) last_ = std::chrono::steady_clock::now();
  }
  void lap(Phase phase) {
    if (!times_) return;
    const auto now = std::chrono::steady_clock::now();
    times_->seconds[static_cast<int>(phase)] += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }

 private:
  PhaseTimes* times_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace

void Simulation::step() {
  PhaseClock clock(phase_times_);
  // After each phase: its time, then (when asked) the NaN/infinity check, whose time goes
  // to the ledger line with the other integrity check.
  auto done = [&](Phase phase) {
    clock.lap(phase);
    if (check_numbers_) {
      check_finite(world_, kPhaseNames[static_cast<int>(phase)], tick_);
      clock.lap(Phase::ledger);
    }
  };
  TickContext ctx;
  ctx.tick = tick_;
  ctx.policy = policy_at(scenario_.params, scenario_.interventions, tick_, world_.agents.providers.size());
  TickFlows flows;
  run_funding(world_, ctx, flows);
  done(Phase::funding);
  world_.ledger.check(world_.funds_held(), world_.voucher_pool, tick_, "funding");
  clock.lap(Phase::ledger);
  run_diffusion(world_, ctx);
  done(Phase::diffusion);
  run_collaboration(world_, ctx, flows);
  done(Phase::collaboration);
  run_market(world_, ctx, flows);
  done(Phase::market);
  world_.ledger.check(world_.funds_held(), world_.voucher_pool, tick_, "market");
  clock.lap(Phase::ledger);
  run_learning(world_, ctx);
  done(Phase::learning);
  run_recording(world_, ctx, flows, series_);
  done(Phase::recording);
  ++tick_;
}

const RunSeries& Simulation::run(const std::function<void(std::int64_t)>& on_tick) {
  while (!finished()) {
    step();
    if (on_tick) on_tick(tick_ - 1);
  }
  return series_;
}

}  // namespace xsector
