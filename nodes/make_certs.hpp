// `spectacles-node make-certs DIR [NAME...]`: a cluster CA and one
// certificate per node name (default "node"), for a quick start with mutual
// TLS between nodes. Prints the [cluster.tls] lines to put in each node's INI.
#pragma once

#include <string>
#include <vector>

namespace spectacles::nodes {

int make_certs(const std::string& dir, std::vector<std::string> names);

} // namespace spectacles::nodes
