#include "net/result.hpp"

namespace spectacles::net {

std::string_view to_string(errc code) {
  switch (code) {
    case errc::invalid_argument: return "invalid argument";
    case errc::dns: return "dns";
    case errc::connect: return "connect";
    case errc::tls: return "tls";
    case errc::timeout: return "timeout";
    case errc::protocol: return "protocol";
    case errc::closed: return "closed";
    case errc::io: return "io";
    case errc::corrupt: return "corrupt";
    case errc::too_large: return "too large";
    case errc::cancelled: return "cancelled";
  }
  return "unknown";
}

} // namespace spectacles::net
