#include "actors/gateway_clock.hpp"

#include <memory>
#include <random>

namespace spectacles::actors {

unit_random make_unit_random(uint64_t seed) {
  auto engine = std::make_shared<std::mt19937_64>(seed);
  return [engine] {
    return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
  };
}

} // namespace spectacles::actors
