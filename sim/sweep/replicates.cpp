#include "sweep/replicates.hpp"

#include <chrono>

#include "output/utc_time.hpp"

namespace xsector {

void write_replicates(const Scenario& scenario, const FileHeader& header, const std::vector<RunIdentity>& identities,
                      const std::string& path, const std::function<void(std::int64_t)>& tick_done,
                      const ReplicateDone& done) {
  const std::int64_t ticks = scenario.params.simulation.years * scenario.params.simulation.ticks_per_year;
  ResultsWriter writer = ResultsWriter::create(path, header);
  for (std::size_t r = 0; r < identities.size(); ++r) {
    const auto start = std::chrono::steady_clock::now();
    Simulation sim(scenario, identities[r]);
    const auto done_before = static_cast<std::int64_t>(r) * ticks;
    const RunSeries& series = sim.run([&](std::int64_t t) { tick_done(done_before + t + 1); });
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    writer.write_run(r, series, wall);
    if (scenario.params.output.snapshots) writer.write_snapshot(snapshot_of(sim.world()));
    done(r, sim, series, wall);
  }
  writer.finish(utc_now_iso8601());
}

}  // namespace xsector
