#include "nodes/make_certs.hpp"

#include <filesystem>
#include <iostream>

#include "net/certs.hpp"

namespace spectacles::nodes {

int make_certs(const std::string& dir, std::vector<std::string> names) {
  if (names.empty())
    names.emplace_back("node");
  auto ca_pem = dir + "/ca.pem";
  // An existing CA is kept: new node certificates must join the same cluster.
  if (!std::filesystem::exists(ca_pem)) {
    auto ca = net::make_ca(dir, "spectacles cluster CA");
    if (!ca) {
      std::cerr << "make-certs: cannot create the CA in " << dir << ": " << ca.error().what()
                << '\n';
      return 1;
    }
    std::cout << "created cluster CA " << ca->cert << " (keep " << ca->key << " secret)\n";
  } else {
    std::cout << "using existing cluster CA " << ca_pem << '\n';
  }
  for (auto& name : names) {
    auto leaf = net::make_leaf(dir, name, { "DNS:" + name, "DNS:localhost", "IP:127.0.0.1" });
    if (!leaf) {
      std::cerr << "make-certs: cannot create the certificate of " << name << ": "
                << leaf.error().what() << '\n';
      return 1;
    }
    std::cout << "\n; node " << name << "\n[cluster.tls]\nca=\"" << ca_pem << "\"\ncert=\""
              << leaf->cert << "\"\nkey=\"" << leaf->key << "\"\n";
  }
  return 0;
}

} // namespace spectacles::nodes
