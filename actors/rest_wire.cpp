#include "actors/rest_wire.hpp"

#include <cctype>

namespace spectacles::actors {

std::string_view find_rest_header(const std::vector<rest_header>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (h.name.size() != name.size())
      continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(h.name[i]))
             == std::tolower(static_cast<unsigned char>(name[i]));
    if (same)
      return h.value;
  }
  return {};
}

} // namespace spectacles::actors
