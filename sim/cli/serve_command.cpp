// `xsector serve`: the scenario explorer in the browser (cli/explorer.hpp) over HTTP
// (Debian's cpp-httplib). The page and its scripts are compiled into the binary
// (explorer_assets.hpp), so the server reads no file but the library's scenarios at
// start-up and writes none outside its output folder.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <iostream>
#include <thread>

#include <httplib.h>
#include <tbb/global_control.h>

#include "cli/commands.hpp"
#include "cli/explorer.hpp"
#include "cli/explorer_assets.hpp"
#include "core/thread_count.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"

namespace xsector {
namespace {

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::filesystem::path make_output_folder(const std::string& requested, bool& temporary) {
  temporary = requested.empty();
  if (!temporary) {
    std::filesystem::create_directories(requested);
    return std::filesystem::canonical(requested);
  }
  std::string pattern = (std::filesystem::temp_directory_path() / "xsector-serve-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw OutputError("cannot make a temporary output folder in " +
                                                  std::filesystem::temp_directory_path().string());
  return pattern;
}

void json_reply(httplib::Response& res, const ExplorerReply& reply) {
  res.status = reply.status;
  res.set_content(reply.body, "application/json");
}

void routes(httplib::Server& server, Explorer& explorer) {
  // Only the compiled-in assets are served: no path of a request reaches the file system.
  for (const ExplorerAsset& asset : explorer_assets()) {
    server.Get(asset.path, [&asset](const httplib::Request&, httplib::Response& res) {
      res.set_content(reinterpret_cast<const char*>(asset.data), asset.size, asset.content_type);
      res.set_header("Cache-Control", "no-cache");
    });
  }
  server.Get("/api/library", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(explorer.library_json(), "application/json");
  });
  server.Get("/api/params", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(Explorer::parameters_json(), "application/json");
  });
  server.Post("/api/runs", [&](const httplib::Request& req, httplib::Response& res) {
    const ExplorerReply reply = explorer.submit(req.body);
    if (reply.status == 429) res.set_header("Retry-After", "2");
    json_reply(res, reply);
  });
  // Run numbers only (at most 12 digits): the files are looked up by number, never by a
  // name from the request.
  server.Get(R"(/api/runs/(\d{1,12}))", [&](const httplib::Request& req, httplib::Response& res) {
    json_reply(res, explorer.run_status(std::stoll(req.matches[1])));
  });
  server.Get(R"(/api/runs/(\d{1,12})/(results\.h5|arm\.toml|base\.toml))",
             [&](const httplib::Request& req, httplib::Response& res) {
               const auto download = explorer.download(std::stoll(req.matches[1]), req.matches[2]);
               if (!download) {
                 json_reply(res, {404, R"({"error":"no such file: the run is unknown or not finished"})"});
                 return;
               }
               auto file = std::make_shared<std::ifstream>(download->path, std::ios::binary);
               std::error_code error;
               const auto size = std::filesystem::file_size(download->path, error);
               if (!*file || error) {
                 json_reply(res, {404, R"({"error":"the run's file is gone"})"});
                 return;
               }
               res.set_header("Content-Disposition", "attachment; filename=\"" + download->filename + "\"");
               res.set_content_provider(size, download->content_type,
                                        [file](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                          std::vector<char> buffer(std::min<std::size_t>(length, 1 << 16));
                                          file->seekg(static_cast<std::streamoff>(offset));
                                          file->read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
                                          sink.write(buffer.data(), static_cast<std::size_t>(file->gcount()));
                                          return file->gcount() > 0;
                                        });
             });
  // Every other failure (unknown path: 404, body over the limit: 413, wrong method) as
  // JSON with a sentence, so that the page can show it.
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string message = "HTTP " + std::to_string(res.status);
    if (res.status == 404) message = "not found";
    if (res.status == 413) message = "the request is too large";
    res.set_content(R"({"error":")" + message + R"("})", "application/json");
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(R"({"error":"internal error"})", "application/json");
  });
}

}  // namespace

int serve_command(const ServeOptions& opt) {
  const int threads = thread_count(opt.common.threads, std::cerr);
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  std::vector<LibraryScenario> library = load_library(opt.scenarios, std::cerr);
  const std::size_t library_size = library.size();
  if (library.empty()) throw InputError(opt.scenarios + ": no scenario file without a [sweep] table; --scenarios names the folder");
  bool temporary = false;
  const std::filesystem::path output = make_output_folder(opt.output_folder, temporary);

  ExplorerLimits limits;
  limits.max_agent_ticks = opt.max_agent_ticks;
  limits.max_waiting = static_cast<std::size_t>(opt.max_waiting);

  // SIGINT and SIGTERM are taken by one thread that stops the server; the others (the
  // server's pool, the explorer's worker) start with them blocked.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::atomic<bool> interrupted = false, finished = false;
  bool listened = false;
  {
    Explorer explorer(std::move(library), output, limits, threads);
    httplib::Server server;
    server.set_payload_max_length(opt.max_body_bytes);
    server.set_read_timeout(10, 0);
    routes(server, explorer);
    const int port = opt.port == 0 ? server.bind_to_any_port(opt.host) : (server.bind_to_port(opt.host, opt.port) ? opt.port : -1);
    if (port < 0) {
      std::cerr << "error: cannot listen on " << opt.host << ":" << opt.port
                << " (is the port in use? --port 0 picks a free one)\n";
      return exit_code::bad_input;
    }
    std::cout << "xsector serve: the scenario explorer is at http://" << opt.host << ":" << port << "/\n";
    if (is_loopback(opt.host))
      std::cout << "listening on " << opt.host << " only: other machines cannot reach it\n";
    else
      std::cout << "WARNING: listening on " << opt.host
                << ", so other machines can reach it and run simulations here (no login, no encryption)\n";
    std::cout << "results and scenario files go to " << output.string() << (temporary ? " (removed at exit)" : "")
              << "; Ctrl-C stops\n"
              << "scenarios: " << library_size << " from " << opt.scenarios << "\n"
              << std::flush;

    std::thread stopper([&] {
      int signal = 0;
      sigwait(&stop_signals, &signal);
      if (finished) return;  // woken by the main thread below
      interrupted = true;
      server.stop();
    });
    listened = server.listen_after_bind();
    finished = true;
    if (!interrupted) pthread_kill(stopper.native_handle(), SIGTERM);
    stopper.join();
  }
  if (temporary) {
    std::error_code ignored;
    std::filesystem::remove_all(output, ignored);
  }
  std::cout << "xsector serve: stopped\n";
  if (interrupted) return exit_code::interrupted;
  return listened ? exit_code::ok : exit_code::failure;
}

}  // namespace xsector
