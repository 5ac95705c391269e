#include "output/crash_guard.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#if defined(__SANITIZE_ADDRESS__)
#define XSECTOR_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XSECTOR_ASAN 1
#endif
#endif

namespace xsector {
namespace {

// The message is formatted before any read, so the handler only calls write(2) and
// _exit(2), both async-signal-safe.
char g_message[4096];
volatile std::sig_atomic_t g_length = 0;

std::mutex g_mutex;  // guards from several threads share one installed handler
int g_depth = 0;
std::string g_path;
struct sigaction g_old_segv {}, g_old_bus {};

extern "C" void report_hdf5_crash(int) {
  const ssize_t written = ::write(STDERR_FILENO, g_message, static_cast<std::size_t>(g_length));
  (void)written;
  ::_exit(3);  // exit_code::output_error: the file cannot be read
}

void format_message(const std::string& path) {
  const std::string text = "error: " + path +
                           ": the HDF5 library crashed while reading this file; it is damaged (libhdf5 trusts "
                           "lengths stored in the file)\n";
  const std::size_t n = std::min(text.size(), sizeof g_message);
  g_length = 0;  // a signal meanwhile writes nothing rather than half a message
  std::memcpy(g_message, text.data(), n);
  g_length = static_cast<std::sig_atomic_t>(n);
}

}  // namespace

bool Hdf5CrashGuard::active() {
#ifdef XSECTOR_ASAN
  return false;
#else
  return true;
#endif
}

Hdf5CrashGuard::Hdf5CrashGuard(const std::string& path) {
  if (!active()) return;
  const std::lock_guard lock(g_mutex);
  previous_path_ = g_path;
  g_path = path;
  format_message(path);
  if (g_depth++ > 0) return;  // an enclosing guard installed the handler
  struct sigaction action {};
  action.sa_handler = report_hdf5_crash;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // a second fault inside the handler ends the process
  sigaction(SIGSEGV, &action, &g_old_segv);
  sigaction(SIGBUS, &action, &g_old_bus);
}

Hdf5CrashGuard::~Hdf5CrashGuard() {
  if (!active()) return;
  const std::lock_guard lock(g_mutex);
  g_path = previous_path_;
  format_message(g_path);
  if (--g_depth > 0) return;
  sigaction(SIGSEGV, &g_old_segv, nullptr);
  sigaction(SIGBUS, &g_old_bus, nullptr);
}

}  // namespace xsector
