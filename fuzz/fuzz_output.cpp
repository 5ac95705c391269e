// libFuzzer target: reading a results file (docs/RELIABILITY.md).
//
// The input bytes are written to a temporary file, which is then read as `xsector info`,
// `merge` and `sweep --resume` read it: read_summary, print_info, list_variables,
// read_run, read_snapshot and ResultsWriter::open_existing. For any bytes each must
// either succeed or throw OutputError (exit code 3); any other exception, a crash, a
// sanitizer report or an HDF5 object left open afterwards is a finding.
#include <hdf5.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/errors.hpp"
#include "finding.hpp"
#include "output/info.hpp"
#include "output/results_file.hpp"

namespace {

using xsector::fuzz::finding;

// OutputError is the answer to a bad results file; anything else is a finding.
template <class F>
bool accepts(const char* stage, F&& f) {
  return xsector::fuzz::accepts<xsector::OutputError>(stage, std::forward<F>(f));
}

void check_no_open_hdf5_objects(const char* stage) {
  const ssize_t open = H5Fget_obj_count(static_cast<hid_t>(H5F_OBJ_ALL), H5F_OBJ_ALL);
  if (open > 0) finding(stage, std::to_string(open) + " HDF5 object(s) left open");
}

std::string temp_name() {
  static unsigned long counter = 0;
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/xsector-fuzz-" + std::to_string(getpid()) + "-" +
         std::to_string(counter++) + ".h5";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xsector;
  const std::string path = temp_name();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) finding("setup", "cannot write " + path);
  }

  FileSummary summary;
  const bool readable = accepts("read_summary", [&] { summary = read_summary(path); });
  check_no_open_hdf5_objects("read_summary");
  accepts("print_info", [&] {
    std::ostringstream text;
    print_info(path, text);
  });
  check_no_open_hdf5_objects("print_info");
  accepts("list_variables", [&] { (void)list_variables(path); });
  check_no_open_hdf5_objects("list_variables");
  if (readable) {
    const std::size_t runs = summary.header.runs.size();
    for (std::size_t run = 0; run < runs && run < 4; ++run) accepts("read_run", [&] { (void)read_run(path, run); });
    accepts("read_run (past the end)", [&] { (void)read_run(path, runs); });
    check_no_open_hdf5_objects("read_run");
  }
  accepts("read_snapshot", [&] { (void)read_snapshot(path); });
  check_no_open_hdf5_objects("read_snapshot");
  // Last, because it repairs the file in place (as --resume does). XSECTOR_FUZZ_SKIP_WRITER=1
  // leaves it out, to fuzz the readers alone (it was for the writer hang F2, fixed since;
  // docs/RELIABILITY.md).
  static const bool skip_writer = std::getenv("XSECTOR_FUZZ_SKIP_WRITER") != nullptr;
  if (!skip_writer) {
    accepts("open_existing", [&] { ResultsWriter writer = ResultsWriter::open_existing(path); });
    check_no_open_hdf5_objects("open_existing");
  }

  std::error_code ec;
  std::filesystem::remove(path, ec);
  return 0;
}
