// Reads a fixture file under SPECTACLES_FIXTURES_DIR as bytes.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace spectacles::net::testing {

inline std::string read_fixture(const std::string& relative) {
  std::ifstream in{ std::string(SPECTACLES_FIXTURES_DIR) + "/" + relative, std::ios::binary };
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

} // namespace spectacles::net::testing
