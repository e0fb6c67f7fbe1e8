#include "support/stack.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <pqxx/pqxx>
#include <random>

namespace chatshop::testing {

const common::Config& StackConfig() {
  static const common::Config config = [] {
    const char* env = std::getenv("CHATSHOP_TEST_CONFIG");
    std::string path = env ? env : std::string(CHATSHOP_SOURCE_DIR) + "/.stack/chatshop.toml";
    auto loaded = common::LoadConfigFile(path, common::ProcessEnvironment());
    if (!loaded) {
      std::cerr << "integration tests need the local servers: run `scripts/stack up` first ("
                << loaded.error()[0] << ")\n";
      std::abort();
    }
    return *loaded;
  }();
  return config;
}

std::string UniqueName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static const unsigned salt = std::random_device{}() % 100000;
  return prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(salt);
}

TestSchema::TestSchema() : name_(UniqueName("t")) {
  const std::string base = StackConfig().postgres.url;
  pqxx::connection c(base);
  pqxx::nontransaction(c).exec("CREATE SCHEMA " + name_);
  url_ =
      base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name_;
}

TestSchema::~TestSchema() {
  try {
    pqxx::connection c(StackConfig().postgres.url);
    pqxx::nontransaction(c).exec("DROP SCHEMA " + name_ + " CASCADE");
  } catch (const std::exception& e) {
    std::cerr << "could not drop test schema " << name_ << ": " << e.what() << "\n";
  }
}

std::string TestSchema::QueryValue(const std::string& sql) const {
  pqxx::connection c(url_);
  pqxx::nontransaction tx(c);
  auto rows = tx.exec(sql);
  if (rows.empty() || rows[0][0].is_null()) return "";
  return rows[0][0].as<std::string>();
}

}  // namespace chatshop::testing
