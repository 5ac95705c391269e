#include "cli/explorer.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/comparison.hpp"
#include "core/errors.hpp"
#include "core/sector.hpp"
#include "output/atomic_output.hpp"
#include "output/utc_time.hpp"
#include "scenario/memory_estimate.hpp"
#include "scenario/param_table.hpp"
#include "scenario/population.hpp"

namespace xsector {

using nlohmann::json;

namespace {

// The arms' names in the file, the printed comparison and the page.
const std::string kArmName = "arm";

json scalar_json(const ScalarValue& value) {
  return std::visit([](const auto& v) { return json(v); }, value);
}

double finite_or(double x, double fallback) { return std::isfinite(x) ? x : fallback; }

// A key of the parameter table as the page needs it to draw a slider or a select. A range
// open at the top gets a slider end from the default; the number box beside the slider
// still takes any value, which the server then checks as a scenario file would.
json key_json(const ParamSpec& spec) {
  json key = {{"name", spec.path},
              {"unit", spec.unit},
              {"description", spec.description},
              {"required", spec.required},
              {"default_text", spec.default_text}};
  key["default"] = spec.default_value ? scalar_json(*spec.default_value) : json(nullptr);
  switch (spec.kind) {
    case ParamKind::real:
    case ParamKind::integer: {
      key["kind"] = spec.kind == ParamKind::real ? "real" : "integer";
      key["range"] = spec.range.describe();
      key["min"] = std::isfinite(spec.range.lo) ? json(spec.range.lo) : json(nullptr);
      key["max"] = std::isfinite(spec.range.hi) ? json(spec.range.hi) : json(nullptr);
      double typical = 1.0;
      if (spec.default_value && std::holds_alternative<double>(*spec.default_value))
        typical = std::get<double>(*spec.default_value);
      else if (spec.default_value && std::holds_alternative<std::int64_t>(*spec.default_value))
        typical = static_cast<double>(std::get<std::int64_t>(*spec.default_value));
      key["slider_min"] = finite_or(spec.range.lo, 0.0);
      key["slider_max"] = finite_or(spec.range.hi, std::max(1.0, 4 * std::abs(typical)));
      break;
    }
    case ParamKind::choice:
      key["kind"] = "choice";
      key["choices"] = spec.choices;
      break;
    case ParamKind::boolean: key["kind"] = "boolean"; break;
    default: key["kind"] = "string"; break;
  }
  return key;
}

double agents_of(const Params& params) {
  double agents = 0;
  for (int k = 0; k < kSectorCount; ++k) agents += static_cast<double>(scaled_count(params, static_cast<Sector>(k)));
  return agents;
}

// A message may quote bytes of the request that are not UTF-8 (a parse error does): they
// are replaced rather than thrown on.
ExplorerReply reply(int status, const json& body) {
  return {status, body.dump(-1, ' ', false, json::error_handler_t::replace)};
}
ExplorerReply refuse(int status, const std::string& message) { return reply(status, json{{"error", message}}); }

// The request's interventions as [[intervention]] tables, `type` first; values in TOML
// form (format_scalar quotes and escapes strings). Throws InputError for a shape that is
// no intervention table; the keys and values themselves are parse_scenario's to judge.
std::string interventions_toml(const json& list, std::size_t max_count) {
  if (!list.is_array()) throw InputError("`interventions` must be a list of intervention tables");
  if (list.size() > max_count)
    throw InputError("at most " + std::to_string(max_count) + " interventions per request, got " +
                     std::to_string(list.size()));
  static const std::regex bare_key("[a-z_][a-z0-9_]{0,63}");
  std::string out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& table = list[i];
    const std::string where = "intervention " + std::to_string(i + 1);
    if (!table.is_object()) throw InputError(where + ": must be a table of keys and values");
    if (!table.contains("type")) throw InputError(where + ": has no `type`");
    out += "\n[[intervention]]\n";
    std::vector<std::string> keys{"type"};
    for (const auto& [key, value] : table.items())
      if (key != "type") keys.push_back(key);
    for (const std::string& key : keys) {
      const json& value = table.at(key);
      if (!std::regex_match(key, bare_key))
        throw InputError(where + ": `" + key.substr(0, 64) + "` is not a key of an intervention table");
      ScalarValue scalar;
      if (value.is_number_integer()) scalar = value.get<std::int64_t>();
      else if (value.is_number()) scalar = value.get<double>();
      else if (value.is_boolean()) scalar = value.get<bool>();
      else if (value.is_string() && value.get<std::string>().size() <= 200) scalar = value.get<std::string>();
      else throw InputError(where + ": " + key + " must be a number, a string (of at most 200 characters) or true/false");
      out += key + " = " + format_scalar(scalar) + "\n";
    }
  }
  return out;
}

json interval_json(const MeanInterval& m) {
  auto number = [](double x) { return std::isfinite(x) ? json(x) : json(nullptr); };
  return {{"mean", number(m.mean)}, {"lower", number(m.lower)}, {"upper", number(m.upper)}, {"n", m.n},
          {"text", with_interval(m)}};
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.flush()) throw OutputError("cannot write " + path.string());
}

}  // namespace

struct Explorer::Job {
  std::int64_t id = 0;
  std::string base_name;
  json request;
  std::vector<ComparisonArm> arms;  // base, arm
  std::size_t replicates = 0;
  std::int64_t total_ticks = 0;
  std::atomic<std::int64_t> ticks_done{0};
  // Guarded by Explorer::mutex_:
  std::string state = "queued";  // queued, running, done, failed
  std::string error;
  json result;
};

std::vector<LibraryScenario> load_library(const std::filesystem::path& folder, std::ostream& notes) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    if (entry.is_regular_file() && entry.path().extension() == ".toml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<LibraryScenario> library;
  for (const auto& file : files) {
    try {
      Scenario scenario = load_scenario(file.string());
      if (scenario.sweep) continue;  // a sweep is no base for one paired comparison
      library.push_back({file.stem().string(), std::move(scenario), 0});
      library.back().agents = agents_of(library.back().scenario.params);
    } catch (const InputError& e) {
      notes << "note: skipping " << file.string() << ": " << e.what() << "\n";
    }
  }
  // The baseline region first: the page selects the first scenario.
  std::stable_partition(library.begin(), library.end(), [](const LibraryScenario& s) { return s.name == "baseline"; });
  return library;
}

Explorer::Explorer(std::vector<LibraryScenario> library, std::filesystem::path output_folder, ExplorerLimits limits,
                   int threads)
    : library_(std::move(library)), output_(std::move(output_folder)), limits_(limits), threads_(threads) {
  // An output folder used before keeps its runs: new ones are numbered after them, so
  // that no file is overwritten.
  static const std::regex run_file(R"(run-(\d{1,12})(\.h5|-arm\.toml|-base\.toml))");
  for (const auto& entry : std::filesystem::directory_iterator(output_)) {
    std::smatch match;
    const std::string name = entry.path().filename().string();
    if (std::regex_match(name, match, run_file)) next_id_ = std::max<std::int64_t>(next_id_, std::stoll(match[1]) + 1);
  }
  worker_ = std::thread([this] { work(); });
}

Explorer::~Explorer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

std::string Explorer::library_json() const {
  json scenarios = json::array();
  for (const LibraryScenario& s : library_) {
    const Params& p = s.scenario.params;
    json interventions = json::array();
    for (const Intervention& i : s.scenario.interventions) interventions.push_back(intervention_type_name(i.type));
    scenarios.push_back({{"name", s.name},
                         {"description", s.scenario.description},
                         {"years", p.simulation.years},
                         {"ticks_per_year", p.simulation.ticks_per_year},
                         {"seed", p.simulation.seed},
                         {"agents", s.agents},
                         {"interventions", interventions}});
  }
  json types = json::array();
  for (int t = 0; t < kInterventionTypeCount; ++t) {
    const auto type = static_cast<InterventionType>(t);
    json keys = json::array();
    for (const ParamSpec& spec : intervention_common_keys())
      if (spec.path != "type") keys.push_back(key_json(spec));
    for (const ParamSpec& spec : intervention_keys(type)) keys.push_back(key_json(spec));
    types.push_back({{"type", intervention_type_name(type)}, {"keys", keys}});
  }
  return json{{"scenarios", scenarios},
              {"interventions", types},
              {"default_replicates", 20},
              {"limits",
               {{"max_agent_ticks", limits_.max_agent_ticks},
                {"max_replicates", limits_.max_replicates},
                {"max_waiting", limits_.max_waiting}}}}
      .dump();
}

std::string Explorer::parameters_json() {
  json rows = json::array();
  for (const ParamSpec& spec : parameter_table()) {
    json row = key_json(spec);
    row["source"] = spec.source;
    rows.push_back(row);
  }
  return rows.dump();
}

ExplorerReply Explorer::submit(const std::string& body) {
  json request;
  try {
    request = json::parse(body);
  } catch (const json::parse_error& e) {
    return refuse(400, std::string("the request is not valid JSON: ") + e.what());
  }
  if (!request.is_object()) return refuse(400, "the request must be a JSON object with `base`, `replicates` and `interventions`");

  auto job = std::make_shared<Job>();
  std::string arm_text;  // sent back with a refusal, so that the page can show what was checked
  try {
    const json& base = request.value("base", json());
    if (!base.is_string()) throw InputError("`base` must name a scenario of the library");
    const auto found = std::find_if(library_.begin(), library_.end(),
                                    [&](const LibraryScenario& s) { return s.name == base.get<std::string>(); });
    if (found == library_.end()) throw InputError("`" + base.get<std::string>().substr(0, 64) + "` is not a scenario of the library");
    const json& replicates = request.value("replicates", json(20));
    if (!replicates.is_number_integer() || replicates.get<std::int64_t>() < 1 ||
        replicates.get<std::int64_t>() > limits_.max_replicates)
      throw InputError("replicates must be a whole number from 1 to " + std::to_string(limits_.max_replicates) +
                       " (as compare's --replicates)");
    job->replicates = replicates.get<std::size_t>();

    // The arm is the base file plus the chosen interventions, read as a scenario file: the
    // same checks and messages as `xsector run arm.toml`, and the text reproduces the run.
    arm_text = found->scenario.toml_text + "\n# Interventions chosen in the scenario explorer (xsector serve)\n" +
               interventions_toml(request.value("interventions", json::array()), limits_.max_interventions);
    job->arms.push_back({found->name, found->scenario, {}});
    job->arms.push_back({kArmName, parse_scenario(arm_text, kArmName + ".toml"), {}});
    if (job->arms.back().scenario.sweep) throw InputError("arm.toml: an arm runs as it is; it cannot have a [sweep] table");
    std::ostringstream notes;  // a seed the arm set itself is replaced by the base's, as compare does
    pair_arms(job->arms, static_cast<std::int64_t>(job->replicates), notes);
    job->base_name = found->name;
  } catch (const InputError& e) {
    json refusal = {{"error", e.what()}};
    if (!arm_text.empty()) refusal["scenario"] = arm_text;
    return reply(400, refusal);
  }

  const Params& p = job->arms.front().scenario.params;
  const std::int64_t ticks = p.simulation.years * p.simulation.ticks_per_year;
  job->total_ticks = ticks * static_cast<std::int64_t>(job->replicates) * 2;
  const double agent_ticks =
      std::max(agents_of(p), agents_of(job->arms.back().scenario.params)) * static_cast<double>(job->total_ticks);
  if (agent_ticks > limits_.max_agent_ticks) {
    std::ostringstream message;
    message << "too much work for one request: " << agent_ticks << " agent-ticks (agents × " << ticks << " ticks × "
            << job->replicates << " replicates × 2 arms); this server takes at most " << limits_.max_agent_ticks
            << " (xsector serve --max-agent-ticks). Use fewer replicates, or run it with xsector compare";
    return refuse(413, message.str());
  }
  try {
    for (const ComparisonArm& arm : job->arms) check_run_memory(arm.scenario, 1);
  } catch (const InputError& e) {
    return refuse(413, e.what());
  }
  // Echoed back in the run's status: only the fields read, which are checked to be flat
  // (anything else, however deeply nested, is dropped here).
  job->request = {{"base", job->base_name},
                  {"replicates", job->replicates},
                  {"interventions", request.value("interventions", json::array())}};

  std::lock_guard lock(mutex_);
  if (stopping_) return refuse(503, "the server is shutting down");
  if (queue_.size() >= limits_.max_waiting)
    return refuse(429, "busy: " + std::to_string(queue_.size()) +
                           " runs are waiting or running; press Run again when one has finished");
  job->id = next_id_++;
  jobs_[job->id] = job;
  queue_.push_back(job);
  // Keep the newest runs: older ones are forgotten and their files removed.
  while (jobs_.size() > limits_.kept_runs) {
    const auto oldest = jobs_.begin();
    if (oldest->second->state == "queued" || oldest->second->state == "running") break;
    for (const char* suffix : {".h5", "-arm.toml", "-base.toml"}) {
      std::error_code ignored;
      std::filesystem::remove(file_of(oldest->first, suffix), ignored);
    }
    jobs_.erase(oldest);
  }
  wake_.notify_one();
  return reply(202, json{{"id", job->id}});
}

ExplorerReply Explorer::run_status(std::int64_t id) const {
  std::lock_guard lock(mutex_);
  const auto found = jobs_.find(id);
  if (found == jobs_.end()) return refuse(404, "no run " + std::to_string(id) + " (the server keeps the last " +
                                                   std::to_string(limits_.kept_runs) + ")");
  const Job& job = *found->second;
  json out = {{"id", job.id},
              {"state", job.state},
              {"base", job.base_name},
              {"replicates", job.replicates},
              {"request", job.request},
              {"progress", job.total_ticks ? static_cast<double>(job.ticks_done.load()) / job.total_ticks : 0.0}};
  if (job.state == "failed") out["error"] = job.error;
  if (job.state == "done") out["result"] = job.result;
  return reply(200, out);
}

std::filesystem::path Explorer::file_of(std::int64_t id, const char* suffix) const {
  return output_ / ("run-" + std::to_string(id) + suffix);
}

std::optional<Explorer::Download> Explorer::download(std::int64_t id, const std::string& which) const {
  std::lock_guard lock(mutex_);
  const auto found = jobs_.find(id);
  if (found == jobs_.end() || found->second->state != "done") return std::nullopt;
  const std::string stem = "explorer-" + std::to_string(id);
  if (which == "results.h5") return Download{file_of(id, ".h5"), stem + ".h5", "application/x-hdf5"};
  if (which == "arm.toml") return Download{file_of(id, "-arm.toml"), kArmName + ".toml", "application/toml"};
  if (which == "base.toml")
    return Download{file_of(id, "-base.toml"), found->second->base_name + ".toml", "application/toml"};
  return std::nullopt;
}

void Explorer::work() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = queue_.front();
      job->state = "running";
    }
    // One run at a time, each on every thread the server may use: the first student's
    // answer comes soonest, and the next waits in order.
    std::string error;
    try {
      run_job(*job);
    } catch (const std::exception& e) {  // InputError, OutputError, LedgerError, bad_alloc: the page says it
      error = e.what();
    }
    std::lock_guard lock(mutex_);
    job->state = error.empty() ? "done" : "failed";
    job->error = error;
    queue_.pop_front();
  }
}

void Explorer::run_job(Job& job) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<ComparisonArm>& arms = job.arms;
  const Params& p = arms.front().scenario.params;
  const std::size_t years = static_cast<std::size_t>(p.simulation.years);
  const auto per_year = static_cast<std::size_t>(p.simulation.ticks_per_year);
  write_text(file_of(job.id, "-arm.toml"), arms.back().scenario.toml_text);
  write_text(file_of(job.id, "-base.toml"), arms.front().scenario.toml_text);

  // values[arm][indicator][year][replicate]: the yearly curves, each year summed as the
  // final year is (ticks_of), so that the last point of a curve is compare's number.
  std::vector<std::vector<std::vector<std::vector<double>>>> values(
      arms.size(), std::vector<std::vector<std::vector<double>>>(
                       std::size(kIndicators), std::vector<std::vector<double>>(years)));
  AtomicOutput target(file_of(job.id, ".h5").string(), false);
  {
    const std::string command_line = "xsector serve: explorer run " + std::to_string(job.id) + " (" +
                                     job.base_name + " vs arm.toml, " + std::to_string(job.replicates) +
                                     " paired replicates)";
    ResultsWriter writer =
        ResultsWriter::create(target.temp_path(), comparison_header(arms, job.replicates, command_line, threads_));
    run_paired(
        arms, job.replicates, writer, [&](std::int64_t done) { job.ticks_done = done; },
        [&](std::size_t arm, std::size_t, const RunSeries& series) {
          for (std::size_t y = 0; y < years && (y + 1) * per_year <= series.ticks; ++y) {
            const FinalYear year = ticks_of(series, y * per_year, (y + 1) * per_year - 1);
            for (std::size_t k = 0; k < std::size(kIndicators); ++k) values[arm][k][y].push_back(kIndicators[k].of(year));
          }
        });
    writer.finish(utc_now_iso8601());
  }
  target.commit();

  static const char* const kKeys[] = {"gap", "participation_share", "support_share", "capacity"};
  json indicators = json::array();
  for (std::size_t k = 0; k < std::size(kIndicators); ++k) {
    json curves = json::array();
    for (std::size_t a = 0; a < arms.size(); ++a) {
      json mean = json::array(), lower = json::array(), upper = json::array();
      for (std::size_t y = 0; y < years; ++y) {
        const json m = interval_json(mean_interval(values[a][k][y]));
        mean.push_back(m["mean"]);
        lower.push_back(m["lower"]);
        upper.push_back(m["upper"]);
      }
      curves.push_back({{"name", arms[a].name}, {"mean", mean}, {"lower", lower}, {"upper", upper}});
    }
    indicators.push_back({{"key", kKeys[k]},
                          {"label", kIndicators[k].label},
                          {"arms", curves},
                          {"delta", interval_json(mean_interval(paired_differences(arms[1], arms[0], kIndicators[k])))}});
  }
  std::ostringstream printed;
  print_comparison(arms, printed);
  json years_axis = json::array();
  for (std::size_t y = 1; y <= years; ++y) years_axis.push_back(y);
  json result = {
      {"years", years_axis},
      {"indicators", indicators},
      {"verdict", kArmName + ": " + gap_verdict(mean_interval(paired_differences(arms[1], arms[0], kIndicators[0])),
                                                arms[0].name)},
      {"printed", printed.str()},
      {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()},
      {"cli", "xsector compare " + job.base_name + ".toml arm.toml --replicates " + std::to_string(job.replicates)}};
  std::lock_guard lock(mutex_);
  job.result = std::move(result);
}

}  // namespace xsector
