// The record handler's JSON lines (actors/worker_record.hpp), read back by
// the cluster tests.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace spectacles::test {

struct record {
  uint32_t shard = 0;
  uint64_t seq = 0;
  uint64_t guild = 0;
  bool redelivered = false;
  std::string worker;
};

// Pulls `"key":value` out of one record line (the record format is flat).
inline std::string field(const std::string& line, const std::string& key) {
  auto k = "\"" + key + "\":";
  auto pos = line.find(k);
  if (pos == std::string::npos)
    return {};
  pos += k.size();
  if (line[pos] == '"') {
    auto end = line.find('"', pos + 1);
    return line.substr(pos + 1, end - pos - 1);
  }
  auto end = line.find_first_of(",}", pos);
  return line.substr(pos, end - pos);
}

inline std::vector<record> read_records(const std::string& path) {
  std::vector<record> out;
  std::ifstream in{ path };
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.back() != '}')
      continue; // a line cut by kill -9 is not an acked event
    record r;
    r.shard = static_cast<uint32_t>(std::stoul(field(line, "shard")));
    r.seq = std::stoull(field(line, "seq"));
    r.guild = std::stoull(field(line, "guild_id"));
    r.redelivered = field(line, "redelivered") == "true";
    r.worker = field(line, "worker");
    out.push_back(r);
  }
  return out;
}

} // namespace spectacles::test
