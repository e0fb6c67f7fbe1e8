#include "bot/cart_edits.h"

#include <gtest/gtest.h>

namespace chatshop::bot {
namespace {

using Op = CartEdit::Op;

TEST(CartEditsTest, PlainListsAreNotEdits) {
  EXPECT_TRUE(ParseCartEdits("2 atta, 1 kg sugar, maggi x5", false).empty());
  EXPECT_TRUE(ParseCartEdits("doodh 2 aur bread", false).empty());
  EXPECT_TRUE(ParseCartEdits("remove", false).empty()) << "a verb alone names nothing";
}

TEST(CartEditsTest, VerbsFirstOrLastInEnglishAndHindi) {
  struct Case {
    const char* text;
    std::vector<CartEdit> edits;
  };
  const Case cases[] = {
      {"make maggi 3", {{Op::kSet, "maggi 3", 3}}},
      {"change maggi to 3 please", {{Op::kSet, "maggi 3", 3}}},
      {"Remove Lays", {{Op::kRemove, "lays", std::nullopt}}},
      {"add 2 bread", {{Op::kAdd, "2 bread", 2}}},
      {"lays hata do", {{Op::kRemove, "lays", std::nullopt}}},
      {"maggi 3 kar do", {{Op::kSet, "maggi 3", 3}}},
      {"kurkure nahi chahiye", {{Op::kRemove, "kurkure", std::nullopt}}},
      {"2 bread bhi", {{Op::kAdd, "2 bread", 2}}},
      {"दूध हटाओ", {{Op::kRemove, "दूध", std::nullopt}}},
      {"make maggi 0", {{Op::kRemove, "maggi", 0}}},
  };
  for (const auto& c : cases) EXPECT_EQ(ParseCartEdits(c.text, false), c.edits) << c.text;
}

TEST(CartEditsTest, ClausesWithoutAVerbContinueTheOneBeforeWhenItFits) {
  EXPECT_EQ(ParseCartEdits("remove lays and kurkure", false),
            (std::vector<CartEdit>{{Op::kRemove, "lays", std::nullopt},
                                   {Op::kRemove, "kurkure", std::nullopt}}));
  EXPECT_EQ(ParseCartEdits("make maggi 3, bread 2", false),
            (std::vector<CartEdit>{{Op::kSet, "maggi 3", 3}, {Op::kSet, "bread 2", 2}}));
  // A quantity after "remove …" is something to add, not to remove.
  EXPECT_EQ(ParseCartEdits("remove lays, 2 bread", false),
            (std::vector<CartEdit>{{Op::kRemove, "lays", std::nullopt}, {Op::kAdd, "2 bread", 2}}));
}

TEST(CartEditsTest, ReplyToTheBillSetsQuantities) {
  EXPECT_EQ(ParseCartEdits("maggi 2\nlays 0\nadd 1 bread", true),
            (std::vector<CartEdit>{
                {Op::kSet, "maggi 2", 2}, {Op::kRemove, "lays", 0}, {Op::kAdd, "1 bread", 1}}));
}

}  // namespace
}  // namespace chatshop::bot
