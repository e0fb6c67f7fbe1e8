#pragma once

// Helpers for tests that use the real servers started by `scripts/stack up`.

#include <string>

#include "common/config.h"

namespace chatshop::testing {

// The stack's config (CHATSHOP_TEST_CONFIG, else .stack/chatshop.toml). Fails the test run with
// a clear message when the stack is not up.
const common::Config& StackConfig();

// A name no other test (or test run) uses: "<prefix>_<pid>_<n>_<random>".
std::string UniqueName(const std::string& prefix);

// A PostgreSQL schema of its own for one test, dropped at the end. url() selects it through
// the connection's search_path, so code under test needs no change to use it.
class TestSchema {
 public:
  TestSchema();
  ~TestSchema();
  TestSchema(const TestSchema&) = delete;
  TestSchema& operator=(const TestSchema&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  // Runs a query in this schema and returns the first column of the first row as text
  // ("" when there is no row).
  std::string QueryValue(const std::string& sql) const;

 private:
  std::string name_;
  std::string url_;
};

}  // namespace chatshop::testing
