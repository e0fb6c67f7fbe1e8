#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace chatshop::testing {

// The exact bytes of tests/fixtures/webhooks/<name>.
inline std::string ReadWebhookFixture(const std::string& name) {
  const std::string path = std::string(CHATSHOP_FIXTURES_DIR) + "/webhooks/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace chatshop::testing
