// libFuzzer target: loading a network file (network.file, docs/RELIABILITY.md).
//
// An input holding a line "#--edges" is a CSV pair: the text before it is NAME.nodes.csv,
// the text after it NAME.edges.csv. Any other input is a GraphML file. load_network must
// either return a network or throw InputError (exit code 2); any other exception, a crash
// or a sanitizer report is a finding, and so is a returned network that breaks the
// Network invariants (ties join two different existing nodes, trust in [0, 1], every tie
// stored in both directions).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "core/errors.hpp"
#include "finding.hpp"
#include "network/network.hpp"

namespace {

using xsector::fuzz::finding;

void write_file(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) finding("setup", "cannot write " + path);
}

void check_invariants(const xsector::Network& net) {
  std::size_t stored = 0;
  for (xsector::NodeId v = 0; v < net.node_count(); ++v) {
    const auto first = net.first_edge(v);
    const auto neighbours = net.neighbours(v);
    for (std::size_t k = 0; k < neighbours.size(); ++k) {
      const xsector::NodeId u = neighbours[k];
      if (u >= net.node_count()) finding("invariant", "neighbour out of range");
      if (u == v) finding("invariant", "self-loop in a loaded network");
      if (net.tie_of(static_cast<xsector::EdgeId>(first + k)) >= net.tie_count())
        finding("invariant", "edge maps to a tie out of range");
    }
    stored += neighbours.size();
  }
  if (stored != 2 * net.tie_count()) finding("invariant", "ties are not stored in both directions");
  for (double t : net.initial_trust())
    if (!(t >= 0.0 && t <= 1.0)) finding("invariant", "trust outside [0, 1]");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const char* dir = std::getenv("TMPDIR");
  const std::string base = std::string(dir && *dir ? dir : "/tmp") + "/xsector-fuzz-net-" + std::to_string(getpid());
  std::string path;
  constexpr std::string_view marker = "\n#--edges\n";
  if (const auto at = text.find(marker); at != std::string_view::npos) {
    path = base + ".nodes.csv";
    write_file(path, text.substr(0, at));
    write_file(base + ".edges.csv", text.substr(at + marker.size()));
  } else {
    path = base + ".graphml";
    write_file(path, text);
  }
  xsector::fuzz::accepts<xsector::InputError>("load_network",
                                              [&] { check_invariants(xsector::load_network(path, 0.5)); });
  return 0;
}
