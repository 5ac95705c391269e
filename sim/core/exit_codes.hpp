#pragma once
// Exit codes of the xsector command (documented in README.md).
namespace xsector::exit_code {
inline constexpr int ok = 0;
inline constexpr int failure = 1;       // model integrity (ledger) or internal error
inline constexpr int bad_input = 2;     // scenario, network or command-line error
inline constexpr int output_error = 3;  // output file exists, cannot be written or read
inline constexpr int interrupted = 130; // SIGINT/SIGTERM
}  // namespace xsector::exit_code
