#include "common/result.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace chatshop {
namespace {

Result<int> Parsed(const std::string& text) {
  if (text.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty");
  return static_cast<int>(text.size());
}

Status Checked(const std::string& text, int* calls) {
  ++*calls;
  return text == "bad" ? Status(MakeError(ErrorCode::kNotFound, "bad")) : Ok();
}

// Two propagations and a value carried on.
Result<int> Doubled(const std::string& text, int* calls) {
  RETURN_IF_ERROR(Checked(text, calls));
  ASSIGN_OR_RETURN(const int length, Parsed(text));
  return length * 2;
}

TEST(ResultMacrosTest, ValuesPassThroughAndTheExpressionRunsOnce) {
  int calls = 0;
  auto doubled = Doubled("abc", &calls);
  ASSERT_TRUE(doubled);
  EXPECT_EQ(*doubled, 6);
  EXPECT_EQ(calls, 1);
}

TEST(ResultMacrosTest, TheFirstErrorIsReturnedAsItIs) {
  int calls = 0;
  auto refused = Doubled("bad", &calls);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(refused.error().message, "bad");

  auto empty = Doubled("", &calls);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(calls, 2);
}

TEST(ResultMacrosTest, WorksInStatusFunctionsAndWithCommasInTheExpression) {
  auto run = [](bool fail) -> Status {
    // A braced initialiser with a top-level comma: the variadic macro takes it whole.
    RETURN_IF_ERROR(fail ? Status(MakeError(ErrorCode::kAborted, "lost the race")) : Ok());
    ASSIGN_OR_RETURN(auto sizes, Result<std::map<int, int>>(std::map<int, int>{{1, 2}, {3, 4}}));
    if (sizes.size() != 2) return MakeError(ErrorCode::kInternal, "lost a value");
    return Ok();
  };
  EXPECT_TRUE(run(false));
  EXPECT_EQ(run(true).error().code, ErrorCode::kAborted);
}

TEST(ResultMacrosTest, AssignsToAnExistingVariable) {
  auto run = [](const std::string& text) -> Result<int> {
    int length = -1;
    ASSIGN_OR_RETURN(length, Parsed(text));
    return length;
  };
  EXPECT_EQ(*run("four"), 4);
  EXPECT_FALSE(run(""));
}

}  // namespace
}  // namespace chatshop
