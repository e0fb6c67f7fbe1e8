// One lexicon for the whole bot: the order parser and the cart edits read the same number
// words, and greetings are one list.
#include "bot/lexicon/lexicon.h"

#include <gtest/gtest.h>

#include <cmath>

#include "bot/cart_edits.h"
#include "bot/order_parser.h"
#include "bot/text.h"

namespace chatshop::bot {
namespace {

orders::Catalog OneSoap() {
  orders::Catalog catalog;
  catalog.products.push_back({"SOAP", "Lifebuoy Soap", orders::Money{3000}, 100, "pc", "care", {}});
  return catalog;
}

// Before the lexicon the cart edits knew 14 number words and the parser 38, so "make seven
// soap" set nothing while "seven soap" ordered seven.
TEST(LexiconTest, ParserAndCartEditsReadTheSameNumberWords) {
  const OrderParser parser(OneSoap());
  ASSERT_GT(lexicon::WholeNumberWords().size(), 30u);
  for (const auto& [word, value] : lexicon::WholeNumberWords()) {
    SCOPED_TRACE(word);
    const std::vector<CartEdit> edits = ParseCartEdits("make " + word + " soap", false);
    ASSERT_EQ(edits.size(), 1u);
    EXPECT_EQ(edits[0].qty, value);
    const ParsedOrder order = parser.Parse(word + " soap");
    if (value == 0) {
      EXPECT_EQ(edits[0].op, CartEdit::Op::kRemove) << "\"make zero soap\" removes it";
      EXPECT_TRUE(order.items.empty());
      EXPECT_TRUE(order.unmatched.empty());
    } else {
      ASSERT_EQ(order.items.size(), 1u);
      EXPECT_EQ(order.items[0].qty, value);
    }
  }
}

TEST(LexiconTest, DoIsTwoOnlyBeforeWhatItCountsForBoth) {
  EXPECT_EQ(lexicon::NumberWordValue("do", nullptr), std::nullopt);
  const std::string bhejo = "bhejo";
  EXPECT_EQ(lexicon::NumberWordValue("do", &bhejo), std::nullopt);
  const std::string soap = "soap";
  EXPECT_EQ(lexicon::NumberWordValue("do", &soap), 2.0);
  EXPECT_EQ(ParseCartEdits("soap 3 kar do", false).at(0).qty, 3) << "\"kar do\" is the verb";
  EXPECT_EQ(OrderParser(OneSoap()).Parse("soap bhej do").items.at(0).qty, 1);
}

TEST(LexiconTest, FractionsAreTheParsersAndNotCountsOfLines) {
  for (const auto& [word, value] : lexicon::FractionWords()) {
    EXPECT_NE(value, std::floor(value)) << word;
    EXPECT_FALSE(lexicon::WholeNumberWords().count(word)) << word;
    EXPECT_EQ(ParseCartEdits("make soap " + word, false).at(0).qty, std::nullopt) << word;
  }
}

TEST(LexiconTest, GreetingsAreWholeMessagesAndTheirWordsAreStopWords) {
  EXPECT_TRUE(lexicon::Greetings().count(FoldText("Namaste")));
  EXPECT_TRUE(lexicon::Greetings().count(FoldText("नमस्ते")));
  EXPECT_TRUE(lexicon::Greetings().count("good morning"));
  for (const char* word : {"hi", "hello", "good", "morning", "namaste"}) {
    EXPECT_TRUE(lexicon::StopWords().count(word)) << word;
  }
  const ParsedOrder order = OrderParser(OneSoap()).Parse("good morning bhaiya, 2 soap");
  EXPECT_EQ(order.items.size(), 1u);
  EXPECT_TRUE(order.unmatched.empty());
}

}  // namespace
}  // namespace chatshop::bot
