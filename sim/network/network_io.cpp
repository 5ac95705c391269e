// Loading a network from a file (MODEL.md 5, `network.file`): GraphML, or a CSV node list
// with a CSV edge list beside it. Every user mistake is an InputError that starts with
// "FILE:LINE:" and names the offending value, so that it can be fixed without a debugger.
#include <algorithm>
#include <boost/graph/graphml.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "network/network.hpp"

namespace xsector {

namespace {

// ---------------------------------------------------------------------------------------
// Shared by both formats
// ---------------------------------------------------------------------------------------

[[noreturn]] void fail(const std::string& file, std::size_t line, const std::string& what) {
  throw InputError(file + ":" + std::to_string(line) + ": " + what);
}

[[noreturn]] void fail(const std::string& file, const std::string& what) { throw InputError(file + ": " + what); }

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool ends_with_nocase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), s.end() - static_cast<std::ptrdiff_t>(suffix.size()),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

Sector parse_sector(std::string_view text, const std::string& file, std::size_t line) {
  if (const auto sector = sector_from_name(trim(text))) return *sector;
  fail(file, line,
       "unknown sector " + in_quotes(trim(text)) +
           " (expected government, business, nonprofit, provider or foundation)");
}

double parse_trust(std::string_view text, const std::string& file, std::size_t line) {
  text = trim(text);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
    fail(file, line, "trust " + in_quotes(text) + " is not a number");
  if (!(value >= 0.0 && value <= 1.0))  // also rejects nan
    fail(file, line, "trust " + in_quotes(text) + " is outside [0, 1]");
  return value;
}

// A network as read from a file, before it becomes a Network: ids and lines are kept only
// for error messages.
struct RawNetwork {
  std::vector<std::string> ids;  // node ids in file order
  std::vector<Sector> sectors;
  std::vector<std::pair<NodeId, NodeId>> ties;
  std::vector<double> trust;
  std::vector<std::size_t> tie_line;
};

// Ties are undirected, so "a,b" and "b,a" are the same tie. A file listing one tie twice
// is rejected rather than merged: the two lines may carry different trust, and silently
// picking one would hide a mistake. Sorting an index (rather than a hash set) keeps the
// extra memory at 4 bytes per tie; the repeat reported is the first one in file order.
void check_no_duplicate_ties(const RawNetwork& net, const std::string& file) {
  const auto key = [&](TieId t) {
    const auto [u, v] = net.ties[t];
    return (std::uint64_t{std::min(u, v)} << 32) | std::max(u, v);
  };
  std::vector<TieId> order(net.ties.size());
  std::iota(order.begin(), order.end(), TieId{0});
  std::sort(order.begin(), order.end(), [&](TieId a, TieId b) { return std::pair{key(a), a} < std::pair{key(b), b}; });
  std::optional<std::pair<TieId, TieId>> repeat;  // (first listing, repeat)
  for (std::size_t i = 1; i < order.size(); ++i)
    if (key(order[i]) == key(order[i - 1]) && (!repeat || order[i] < repeat->second)) repeat = {order[i - 1], order[i]};
  if (!repeat) return;
  const auto [u, v] = net.ties[repeat->second];
  fail(file, net.tie_line[repeat->second],
       "duplicate tie between " + in_quotes(net.ids[u]) + " and " + in_quotes(net.ids[v]) +
           " (already listed at line " + std::to_string(net.tie_line[repeat->first]) +
           "; ties are undirected, so a-b and b-a are the same tie)");
}

void add_tie(RawNetwork& net, NodeId u, NodeId v, double trust, const std::string& file, std::size_t line) {
  if (u == v) fail(file, line, "self-loop on node " + in_quotes(net.ids[u]) + " (a tie joins two different agents)");
  net.ties.emplace_back(u, v);
  net.trust.push_back(trust);
  net.tie_line.push_back(line);
}

Network to_network(RawNetwork&& net) { return Network(std::move(net.sectors), net.ties, std::move(net.trust)); }

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open network file: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) fail(path, "cannot read network file");
  return std::move(text).str();
}

// ---------------------------------------------------------------------------------------
// CSV: NAME.nodes.csv (id,sector) and NAME.edges.csv (source,target[,trust])
// ---------------------------------------------------------------------------------------

// Reads a CSV file line by line (blank lines skipped), splitting fields at commas. A field
// may be double-quoted ("" is a quote inside it), so that ids can hold commas.
class CsvReader {
 public:
  explicit CsvReader(std::string path) : path_(std::move(path)), in_(path_) {
    if (!in_) fail(path_, std::string("cannot open: ") + std::strerror(errno));
  }
  const std::string& path() const { return path_; }
  std::size_t line() const { return line_; }

  // The next non-blank line's fields; false at the end of the file.
  bool next(std::vector<std::string>& fields) {
    std::string text;
    while (std::getline(in_, text)) {
      ++line_;
      if (line_ == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // UTF-8 byte order mark
      if (trim(text).empty()) continue;
      split(text, fields);
      return true;
    }
    if (in_.bad()) fail(path_, line_ + 1, "read error");
    return false;
  }

 private:
  void split(std::string_view text, std::vector<std::string>& fields) const {
    fields.clear();
    std::size_t i = 0;
    for (;;) {
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
      if (i < text.size() && text[i] == '"') {
        fields.push_back(quoted_field(text, i));
      } else {
        const std::size_t comma = std::min(text.find(',', i), text.size());
        fields.emplace_back(trim(text.substr(i, comma - i)));
        i = comma;
      }
      if (i >= text.size()) return;
      ++i;  // past the comma
    }
  }

  // A quoted field starting at text[i] == '"'; leaves i at the comma after it (or the end).
  std::string quoted_field(std::string_view text, std::size_t& i) const {
    std::string field;
    for (++i;; ++i) {
      if (i >= text.size()) fail(path_, line_, "unterminated quoted field");
      if (text[i] != '"') {
        field += text[i];
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        break;
      }
    }
    ++i;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')) ++i;
    if (i < text.size() && text[i] != ',') fail(path_, line_, "unexpected text after a quoted field");
    return field;
  }

  std::string path_;
  std::ifstream in_;
  std::size_t line_ = 0;
};

std::string join(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + fields[i];
  return out;
}

using NodeIndex = std::unordered_map<std::string, NodeId>;

void read_node_list(const std::string& path, RawNetwork& net, NodeIndex& index) {
  CsvReader in(path);
  std::vector<std::string> fields;
  if (!in.next(fields)) fail(path, 1, "empty node list; expected the header 'id,sector'");
  if (fields != std::vector<std::string>{"id", "sector"})
    fail(path, in.line(), "expected the header 'id,sector', found " + in_quotes(join(fields)));
  const std::size_t header_line = in.line();
  std::vector<std::size_t> node_line;
  while (in.next(fields)) {
    if (fields.size() != 2)
      fail(path, in.line(), "expected 2 columns (id,sector), found " + std::to_string(fields.size()));
    const std::string& id = fields[0];
    if (id.empty()) fail(path, in.line(), "empty node id");
    if (net.ids.size() >= std::numeric_limits<NodeId>::max()) fail(path, in.line(), "too many nodes");
    const auto [it, fresh] = index.try_emplace(id, static_cast<NodeId>(net.ids.size()));
    if (!fresh)
      fail(path, in.line(),
           "duplicate node id " + in_quotes(id) + " (first at line " + std::to_string(node_line[it->second]) + ")");
    net.sectors.push_back(parse_sector(fields[1], path, in.line()));
    net.ids.push_back(id);
    node_line.push_back(in.line());
  }
  // An empty node list is a failed export or the wrong file far more often than an intent
  // (a population of zero is written in the scenario); a run on it would be meaningless.
  if (net.ids.empty())
    fail(path, header_line, "no nodes after the header 'id,sector'; a network needs at least one node");
}

void read_edge_list(const std::string& path, const std::string& nodes_path, const NodeIndex& index,
                    double default_trust, RawNetwork& net) {
  CsvReader in(path);
  std::vector<std::string> fields;
  if (!in.next(fields)) fail(path, 1, "empty edge list; expected the header 'source,target' or 'source,target,trust'");
  const bool has_trust = fields == std::vector<std::string>{"source", "target", "trust"};
  if (!has_trust && fields != std::vector<std::string>{"source", "target"})
    fail(path, in.line(),
         "expected the header 'source,target' or 'source,target,trust', found " + in_quotes(join(fields)));
  const std::size_t columns = fields.size();
  const auto node = [&](const std::string& id) {
    const auto it = index.find(id);
    if (it == index.end()) fail(path, in.line(), "node " + in_quotes(id) + " is not in " + nodes_path);
    return it->second;
  };
  while (in.next(fields)) {
    if (fields.size() != columns)
      fail(path, in.line(),
           "expected " + std::to_string(columns) + " columns (as the header), found " + std::to_string(fields.size()));
    const NodeId u = node(fields[0]), v = node(fields[1]);
    const double trust = has_trust ? parse_trust(fields[2], path, in.line()) : default_trust;
    add_tie(net, u, v, trust, path, in.line());
  }
}

constexpr std::string_view kNodesSuffix = ".nodes.csv", kEdgesSuffix = ".edges.csv";

Network load_csv(const std::string& nodes_path, double default_trust) {
  RawNetwork net;
  NodeIndex index;
  read_node_list(nodes_path, net, index);
  const std::string edges_path =
      nodes_path.substr(0, nodes_path.size() - kNodesSuffix.size()) + std::string(kEdgesSuffix);
  read_edge_list(edges_path, nodes_path, index, default_trust, net);
  check_no_duplicate_ties(net, edges_path);
  return to_network(std::move(net));
}

// ---------------------------------------------------------------------------------------
// GraphML
// ---------------------------------------------------------------------------------------
//
// boost::read_graphml parses the XML and resolves <key> declarations and defaults, but it
// keeps no line numbers, merges nodes that share an id and silently creates nodes for
// edges that name undeclared ones. So the file is read twice: Boost collects the data
// (GraphmlCollector), and a light scan of the start tags (scan_graphml_tags) supplies the
// ids and lines that the checks and messages need. The two must agree element by element.

// Receives what boost::read_graphml finds, in document order, without interpreting it.
class GraphmlCollector : public boost::mutate_graph {
 public:
  explicit GraphmlCollector(bool directed) : directed_(directed) {}

  bool is_directed() const override { return directed_; }
  boost::any do_add_vertex() override {
    sector.emplace_back();
    return boost::any(sector.size() - 1);
  }
  std::pair<boost::any, bool> do_add_edge(boost::any source, boost::any target) override {
    edges.emplace_back(boost::any_cast<std::size_t>(source), boost::any_cast<std::size_t>(target));
    trust.emplace_back();
    return {boost::any(edges.size() - 1), true};  // parallel edges are reported later, with lines
  }
  void set_graph_property(const std::string&, const std::string&, const std::string&) override {}
  void set_vertex_property(const std::string& name, boost::any vertex, const std::string& value,
                           const std::string&) override {
    if (name == "sector") sector[boost::any_cast<std::size_t>(vertex)] = value;
  }
  void set_edge_property(const std::string& name, boost::any edge, const std::string& value,
                         const std::string&) override {
    if (name == "trust") trust[boost::any_cast<std::size_t>(edge)] = value;
  }

  std::vector<std::optional<std::string>> sector, trust;
  std::vector<std::pair<std::size_t, std::size_t>> edges;

 private:
  bool directed_;
};

struct XmlTag {
  std::string name;
  std::size_t line;
  std::map<std::string, std::string> attributes;
  const std::string* attribute(const std::string& key) const {
    const auto it = attributes.find(key);
    return it == attributes.end() ? nullptr : &it->second;
  }
};

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// XML attribute value with its character references replaced, as the XML parser sees it.
std::string decode_entities(std::string_view s) {
  static const std::map<std::string_view, char> named = {
      {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::size_t semi = s[i] == '&' ? s.find(';', i) : std::string_view::npos;
    if (semi == std::string_view::npos) {
      out += s[i];
      continue;
    }
    const std::string_view ref = s.substr(i + 1, semi - i - 1);
    if (const auto it = named.find(ref); it != named.end()) {
      out += it->second;
    } else if (ref.size() > 1 && ref[0] == '#') {
      const bool hex = ref[1] == 'x' || ref[1] == 'X';
      const std::string_view digits = ref.substr(hex ? 2 : 1);
      unsigned long cp = 0;
      std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      append_utf8(out, cp);
    } else {
      out += s.substr(i, semi - i + 1);
    }
    i = semi;
  }
  return out;
}

// The start tags named graph, node, edge and hyperedge, in document order, with the line
// each starts on. Comments, CDATA, declarations and other tags are skipped. The file has
// already passed the XML parser, so this only needs to find tags, not to validate them.
std::vector<XmlTag> scan_graphml_tags(const std::string& text) {
  std::vector<XmlTag> tags;
  std::size_t line = 1, counted = 0;
  const auto line_at = [&](std::size_t pos) {
    line += static_cast<std::size_t>(std::count(text.begin() + static_cast<std::ptrdiff_t>(counted),
                                                text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
    counted = pos;
    return line;
  };
  const auto skip_past = [&](std::size_t pos, std::string_view end) {
    const std::size_t at = text.find(end, pos);
    return at == std::string::npos ? text.size() : at + end.size();
  };
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  for (std::size_t pos = text.find('<'); pos != std::string::npos; pos = text.find('<', pos)) {
    if (text.compare(pos, 4, "<!--") == 0) {
      pos = skip_past(pos, "-->");
      continue;
    }
    if (text.compare(pos, 9, "<![CDATA[") == 0) {
      pos = skip_past(pos, "]]>");
      continue;
    }
    std::size_t i = pos + 1;
    while (i < text.size() && !is_space(text[i]) && text[i] != '/' && text[i] != '>') ++i;
    const std::string name = text.substr(pos + 1, i - pos - 1);
    if (name != "graph" && name != "node" && name != "edge" && name != "hyperedge") {
      pos = i;  // '<' cannot occur inside a tag, so the next '<' starts the next markup
      continue;
    }
    XmlTag tag{name, line_at(pos), {}};
    for (;;) {  // attributes: name = "value" or name = 'value'
      while (i < text.size() && is_space(text[i])) ++i;
      if (i >= text.size() || text[i] == '>' || text[i] == '/') break;
      const std::size_t name_start = i;
      while (i < text.size() && !is_space(text[i]) && text[i] != '=' && text[i] != '>') ++i;
      std::string key = text.substr(name_start, i - name_start);
      while (i < text.size() && (is_space(text[i]) || text[i] == '=')) ++i;
      if (i >= text.size() || (text[i] != '"' && text[i] != '\'')) break;
      const std::size_t close = text.find(text[i], i + 1);
      if (close == std::string::npos) break;
      tag.attributes[std::move(key)] = decode_entities(std::string_view(text).substr(i + 1, close - i - 1));
      i = close + 1;
    }
    tags.push_back(std::move(tag));
    pos = i;
  }
  return tags;
}

void run_boost_reader(const std::string& path, const std::string& text, GraphmlCollector& collector) {
  std::istringstream in(text);
  try {
    boost::read_graphml(in, collector, 0);
  } catch (const boost::property_tree::xml_parser_error& e) {
    fail(path, e.line(), "not valid XML: " + e.message());
  } catch (const boost::directed_graph_error&) {
    fail(path,
         "mixes directed and undirected edges; every edge is read as an undirected tie, so give all edges "
         "the graph's edgedefault");
  } catch (const boost::undirected_graph_error&) {
    fail(path,
         "mixes directed and undirected edges; every edge is read as an undirected tie, so give all edges "
         "the graph's edgedefault");
  } catch (const std::exception& e) {
    fail(path, std::string("not a GraphML file xsector can read: ") + e.what());
  }
}

// The nodes, in order, with the id index; duplicate ids rejected (Boost would merge them).
void collect_graphml_nodes(const std::string& path, const std::vector<XmlTag>& tags, RawNetwork& net, NodeIndex& index,
                           std::vector<std::size_t>& node_line) {
  for (const XmlTag& tag : tags) {
    if (tag.name != "node") continue;
    const std::string* id = tag.attribute("id");
    if (!id) fail(path, tag.line, "<node> without an id");
    const auto [it, fresh] = index.try_emplace(*id, static_cast<NodeId>(net.ids.size()));
    if (!fresh)
      fail(path, tag.line,
           "duplicate node id " + in_quotes(*id) + " (first at line " + std::to_string(node_line[it->second]) + ")");
    net.ids.push_back(*id);
    node_line.push_back(tag.line);
  }
}

// The edges, in order, as ties (trust is filled in later from the collector's data).
void collect_graphml_edges(const std::string& path, const std::vector<XmlTag>& tags, const NodeIndex& index,
                           double default_trust, RawNetwork& net) {
  for (const XmlTag& tag : tags) {
    if (tag.name != "edge") continue;
    const auto node = [&](const char* end) {
      const std::string* id = tag.attribute(end);
      if (!id) fail(path, tag.line, std::string("<edge> without a ") + end);
      const auto it = index.find(*id);
      if (it == index.end())
        fail(path, tag.line, "edge names node " + in_quotes(*id) + ", which is not a <node> of the graph");
      return it->second;
    };
    const NodeId u = node("source"), v = node("target");
    add_tie(net, u, v, default_trust, path, tag.line);
  }
}

// Boost and the tag scan must have seen the same nodes and edges in the same order, or the
// data could be attached to the wrong element.
void check_same_graph(const std::string& path, const GraphmlCollector& collector, const RawNetwork& net) {
  bool agree = collector.sector.size() == net.ids.size() && collector.edges.size() == net.ties.size();
  for (std::size_t t = 0; agree && t < net.ties.size(); ++t)
    agree = collector.edges[t] == std::pair<std::size_t, std::size_t>(net.ties[t].first, net.ties[t].second);
  if (!agree)
    fail(path, "unsupported GraphML layout (nested graphs?): expected one flat <graph> of <node>s and <edge>s");
}

Network load_graphml(const std::string& path, double default_trust) {
  const std::string text = read_whole_file(path);
  const std::vector<XmlTag> tags = scan_graphml_tags(text);
  const auto graphs = std::count_if(tags.begin(), tags.end(), [](const XmlTag& t) { return t.name == "graph"; });
  if (graphs != 1) fail(path, "expected exactly one <graph>, found " + std::to_string(graphs));
  for (const XmlTag& tag : tags)
    if (tag.name == "hyperedge") fail(path, tag.line, "hyperedges are not supported");
  const XmlTag& graph = *std::find_if(tags.begin(), tags.end(), [](const XmlTag& t) { return t.name == "graph"; });
  const std::string* edgedefault = graph.attribute("edgedefault");
  if (!edgedefault) fail(path, graph.line, "<graph> needs edgedefault=\"undirected\" (or \"directed\")");

  GraphmlCollector collector(*edgedefault == "directed");
  run_boost_reader(path, text, collector);

  RawNetwork net;
  NodeIndex index;
  std::vector<std::size_t> node_line;
  collect_graphml_nodes(path, tags, net, index, node_line);
  if (net.ids.empty()) fail(path, graph.line, "the <graph> has no <node>; a network needs at least one node");
  collect_graphml_edges(path, tags, index, default_trust, net);
  check_same_graph(path, collector, net);

  for (std::size_t v = 0; v < net.ids.size(); ++v) {
    if (!collector.sector[v])
      fail(path, node_line[v],
           "node " + in_quotes(net.ids[v]) +
               " has no sector (declare <key for=\"node\" attr.name=\"sector\"> and give "
               "the node a <data> value)");
    net.sectors.push_back(parse_sector(*collector.sector[v], path, node_line[v]));
  }
  for (std::size_t t = 0; t < net.ties.size(); ++t)
    if (collector.trust[t]) net.trust[t] = parse_trust(*collector.trust[t], path, net.tie_line[t]);
  check_no_duplicate_ties(net, path);
  return to_network(std::move(net));
}

}  // namespace

Network load_network(const std::string& path, double default_trust) {
  if (ends_with_nocase(path, ".graphml")) return load_graphml(path, default_trust);
  if (ends_with_nocase(path, kNodesSuffix)) return load_csv(path, default_trust);
  if (ends_with_nocase(path, kEdgesSuffix))
    fail(path,
         "give the node list NAME.nodes.csv as network.file; its edge list NAME.edges.csv is read from beside it");
  fail(path, "unknown network file type: expected NAME.graphml, or NAME.nodes.csv with NAME.edges.csv beside it");
}

}  // namespace xsector
