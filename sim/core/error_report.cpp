#include "core/error_report.hpp"

#include "core/exit_codes.hpp"

namespace xsector {

ErrorReport report_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const InputError& e) {
    return {exit_code::bad_input, std::string("error: ") + e.what()};
  } catch (const OutputError& e) {
    return {exit_code::output_error, std::string("error: ") + e.what()};
  } catch (const LedgerError& e) {
    return {exit_code::failure, std::string("error: ") + e.what()};
  } catch (const std::exception& e) {
    return {exit_code::failure, std::string("internal error: ") + e.what()};
  } catch (...) {
    return {exit_code::failure, "internal error: an exception that is not a std::exception"};
  }
}

InputError command_line_error(const std::string& what) {
  return InputError(what + " (xsector --help lists the options)");
}

}  // namespace xsector
