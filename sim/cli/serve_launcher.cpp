// `xsector serve` in the xsector program: the explorer's web server lives in xsector-serve,
// installed beside xsector, so that no other command loads cpp-httplib and, with it,
// OpenSSL and Brotli. This replaces the process with xsector-serve and the same command
// line (same process id: signals and exit codes reach it as before).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "cli/commands.hpp"
#include "core/errors.hpp"

namespace xsector {

int serve_command(const ServeOptions& options) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw OutputError("serve: cannot find this program's folder (/proc/self/exe): " + ec.message());
  const std::string server = (self.parent_path() / "xsector-serve").string();
  std::vector<char*> argv;
  for (const std::string& argument : options.arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  ::execv(server.c_str(), argv.data());
  throw OutputError("serve: cannot start " + server + " (the explorer's server, installed beside xsector): " +
                    std::strerror(errno));
}

}  // namespace xsector
