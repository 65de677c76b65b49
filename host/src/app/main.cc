#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "app/cli.h"

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    return sb::app::run_cli(args, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // The one place an exception ends: one line, no trace.
    std::cerr << "error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "error: unexpected failure\n";
  }
  return sb::app::kExitFailure;
}
