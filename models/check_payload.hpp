// check_payload: `spectacles-node check-payload FILE... [--as TYPE]`, for a user asking "why
// does this event not parse". Each FILE holds a gateway envelope, a JSON array of envelopes, or
// (with --as TYPE) a bare object or an array of them; one line per payload:
//
//   capture.json[2]: OK
//   capture.json[3]: MESSAGE_CREATE d.author.id: expected a snowflake string, got true
#pragma once

#include "models/json.hpp"

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace spectacles::models {

/// `args` is everything after the sub-command. Returns 0 when every payload decoded, 1 when any
/// failed, 2 on a usage error.
int check_payload(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/// The payloads in `text`: the text itself when it is an object, each element (compact) when
/// it is an array.
result<std::vector<std::string>> split_payloads(std::string_view text);

/// Checks one gateway envelope: scan, then decode its `d` by opcode and event name.
/// Returns an empty string when it decodes, else the error.
std::string check_envelope(std::string_view envelope);

/// Checks one bare object as model `type` ("message", "guild", ...); empty when it decodes.
std::string check_as(std::string_view type, std::string_view object);

/// The TYPE names --as accepts.
std::vector<std::string_view> check_types();

} // namespace spectacles::models
