#include "net/http_message.hpp"

#include <algorithm>
#include <cctype>

namespace spectacles::net {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x))
                  == std::tolower(static_cast<unsigned char>(y));
         });
}

} // namespace

std::string_view find_header(const http_headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (iequals(key, name))
      return value;
  return {};
}

} // namespace spectacles::net
