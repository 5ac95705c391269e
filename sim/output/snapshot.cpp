// The per-agent snapshot: built from a World, written to group /snapshot, read back.
#include "output/snapshot.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"
#include "model/world.hpp"
#include "output/crash_guard.hpp"
#include "output/file_access.hpp"
#include "output/hdf5_reading.hpp"
#include "output/hdf5_writing.hpp"
#include "output/layout.hpp"

namespace xsector {
namespace hdf5 {
namespace {

template <class T>
void check_length(Path path, const std::vector<T>& values, std::size_t agents, const char* name) {
  if (values.size() != agents)
    throw OutputError(path + ": snapshot field '" + name + "' has " + std::to_string(values.size()) +
                      " agents, sector has " + std::to_string(agents));
}

std::string sector_flag_meanings() {
  std::string out;
  for (int s = 0; s < kSectorCount; ++s) {
    if (s) out += ' ';
    out += kSectorNames[s];
  }
  return out;
}

}  // namespace

void write_snapshot_group(Path path, hid_t file, const AgentSnapshot& snapshot) {
  const std::size_t agents = snapshot.sector.size();
  check_length(path, snapshot.budget, agents, "budget");
  check_length(path, snapshot.capacity, agents, "capacity");
  check_length(path, snapshot.mindset, agents, "mindset");
  check_length(path, snapshot.funds, agents, "funds");
  check_length(path, snapshot.toolkit, agents, "toolkit");
  check_length(path, snapshot.degree, agents, "degree");
  if (H5Lexists(file, kSnapshotGroup, H5P_DEFAULT) > 0)
    throw OutputError(path + ": the snapshot has already been written");
  H5Eclear2(H5E_DEFAULT);
  const Handle gcpl = plist(path, H5P_GROUP_CREATE);
  ok(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), path,
     "configure group /snapshot");
  const Handle group{ok(H5Gcreate2(file, kSnapshotGroup, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), path,
                        "create group /snapshot"),
                     H5Gclose};
  const hid_t group_id = group.get();
  std::vector<std::int64_t> index(agents);
  for (std::size_t i = 0; i < agents; ++i) index[i] = static_cast<std::int64_t>(i);
  const Handle agent_dim = make_1d(path, group_id, kAgentDim, H5T_STD_I64LE, H5T_NATIVE_INT64, index);
  make_scale(path, agent_dim, kAgentDim);

  ScaleAttachments scales(path);
  const auto add = [&](Handle dataset, std::string_view units, std::string_view long_name) {
    scales.attach(dataset, {&agent_dim});
    describe(path, dataset, units, long_name);
    return dataset;
  };
  // Sector as a number with the CF flag attributes naming each value.
  const Handle sector = add(make_1d(path, group_id, "sector", H5T_STD_U8LE, H5T_NATIVE_UINT8, snapshot.sector), "",
                            "agent sector");
  std::vector<std::uint8_t> flag_values(kSectorCount);
  for (int i = 0; i < kSectorCount; ++i) flag_values[i] = static_cast<std::uint8_t>(i);
  const hsize_t flags = kSectorCount;
  const Handle flag_space = file_space(path, 1, &flags);
  write_attribute(path, sector.get(), "flag_values", H5T_STD_U8LE, flag_space.get(), H5T_NATIVE_UINT8,
                  flag_values.data());
  write_string_attribute(path, sector.get(), "flag_meanings", sector_flag_meanings());

  add(make_1d(path, group_id, "budget", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, snapshot.budget), "USD per year",
      "support budget");
  add(make_1d(path, group_id, "capacity", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, snapshot.capacity), "1",
      "collaboration capacity");
  add(make_1d(path, group_id, "mindset", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, snapshot.mindset), "1",
      "collaborative mindset");
  add(make_1d(path, group_id, "funds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, snapshot.funds), "USD",
      "support funds held");
  add(make_1d(path, group_id, "toolkit", H5T_STD_U8LE, H5T_NATIVE_UINT8, snapshot.toolkit), "",
      "1 if using the toolkit");
  add(make_1d(path, group_id, "degree", H5T_STD_I64LE, H5T_NATIVE_INT64, snapshot.degree), "", "network degree");
  scales.finish();
}

}  // namespace hdf5

AgentSnapshot snapshot_of(const World& world) {
  AgentSnapshot snapshot;
  const auto& clients = world.agents.clients;
  const std::size_t nodes = world.network.node_count();
  for (NodeId v = 0; v < nodes; ++v) {
    snapshot.sector.push_back(static_cast<std::uint8_t>(world.network.sector(v)));
    snapshot.budget.push_back(is_client(world.network.sector(v)) ? clients.budget[v] : 0.0);
    snapshot.capacity.push_back(clients.capacity[v]);
    snapshot.mindset.push_back(clients.mindset[v]);
    snapshot.funds.push_back(clients.funds[v]);
    snapshot.toolkit.push_back(clients.toolkit[v]);
    snapshot.degree.push_back(static_cast<std::int64_t>(world.network.degree(v)));
  }
  return snapshot;
}

std::optional<AgentSnapshot> read_snapshot(const std::string& path) {
  using namespace hdf5;
  const Hdf5CrashGuard guard(path);  // libhdf5 may crash on a damaged file
  const Handle file = open_for_reading(path);
  check_format(path, file.get());
  if (H5Lexists(file.get(), kSnapshotGroup, H5P_DEFAULT) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return std::nullopt;
  }
  const Handle group{ok(H5Gopen2(file.get(), kSnapshotGroup, H5P_DEFAULT), path, "open group /snapshot"), H5Gclose};
  const hid_t group_id = group.get();
  const std::size_t agents = dimension_length(path, group_id, kAgentDim);
  AgentSnapshot snapshot;
  snapshot.sector = read_1d<std::uint8_t>(path, group_id, "sector", H5T_NATIVE_UINT8, agents);
  snapshot.budget = read_1d<double>(path, group_id, "budget", H5T_NATIVE_DOUBLE, agents);
  snapshot.capacity = read_1d<double>(path, group_id, "capacity", H5T_NATIVE_DOUBLE, agents);
  snapshot.mindset = read_1d<double>(path, group_id, "mindset", H5T_NATIVE_DOUBLE, agents);
  snapshot.funds = read_1d<double>(path, group_id, "funds", H5T_NATIVE_DOUBLE, agents);
  snapshot.toolkit = read_1d<std::uint8_t>(path, group_id, "toolkit", H5T_NATIVE_UINT8, agents);
  snapshot.degree = read_1d<std::int64_t>(path, group_id, "degree", H5T_NATIVE_INT64, agents);
  return snapshot;
}

}  // namespace xsector
