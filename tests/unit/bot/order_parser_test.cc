#include "bot/order_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bot/text.h"

namespace chatshop::bot {
namespace {

using nlohmann::json;

orders::Catalog LoadCatalog(const std::string& name) {
  std::ifstream in(std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  auto imported = orders::ParseCatalogCsv(text.str());
  EXPECT_TRUE(imported.errors.empty());
  return imported.catalog;
}

std::map<std::string, int64_t> ItemsOf(const ParsedOrder& order) {
  std::map<std::string, int64_t> items;
  for (const auto& i : order.items) items[i.sku] += i.qty;
  return items;
}

// Scores a labelled file the way ../shared/tools/score_parser.py does; returns the misses.
std::vector<std::string> Misses(const std::string& catalog, const std::string& orders,
                                size_t& total) {
  OrderParser parser(LoadCatalog(catalog));
  std::ifstream in(std::string(CHATSHOP_FIXTURES_DIR) + "/orders/" + orders);
  std::vector<std::string> misses;
  std::string line;
  total = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++total;
    json want = json::parse(line);
    ParsedOrder got = parser.Parse(want["text"].get<std::string>());
    std::map<std::string, int64_t> want_items;
    for (const auto& i : want["items"]) want_items[i["sku"]] += i["qty"].get<int64_t>();
    bool ok = want_items == ItemsOf(got);
    for (const auto& u : want.value("unmatched", json::array())) {
      bool found = false;
      for (const auto& g : got.unmatched)
        found = found || g.find(u.get<std::string>()) != std::string::npos;
      ok = ok && found;
    }
    for (const auto& a : want.value("ambiguous", json::array())) {
      std::set<std::string> candidates = a["candidates"];
      bool found = false;
      for (const auto& g : got.ambiguous) {
        found =
            found || std::set<std::string>(g.candidates.begin(), g.candidates.end()) == candidates;
      }
      ok = ok && found;
    }
    if (!ok) misses.push_back(want["text"].get<std::string>());
  }
  return misses;
}

TEST(OrderParserTest, SampleKiranaMessagesAtLeast95PercentRight) {
  size_t total = 0;
  auto misses = Misses("kirana_catalog.csv", "kirana_orders_dev.jsonl", total);
  ASSERT_EQ(total, 44u);
  EXPECT_LE(misses.size() * 100, total * 5) << "missed: " << ::testing::PrintToString(misses);
}

// Our own labelled messages for a different shop (fruit and vegetables, dairy, water): the
// rules are general, not tuned to the sample strings.
TEST(OrderParserTest, SabziShopMessagesAreAllRight) {
  size_t total = 0;
  auto misses = Misses("sabzi_catalog.csv", "sabzi_orders.jsonl", total);
  ASSERT_GT(total, 30u);
  EXPECT_TRUE(misses.empty()) << "missed: " << ::testing::PrintToString(misses);
}

class KiranaParserTest : public ::testing::Test {
 protected:
  orders::Catalog catalog_ = LoadCatalog("kirana_catalog.csv");
  OrderParser parser_{catalog_};
};

TEST_F(KiranaParserTest, PackSizesTurnAmountsIntoPacks) {
  EXPECT_EQ(ItemsOf(parser_.Parse("moong dal 2 kg")),
            (std::map<std::string, int64_t>{{"MOONG-DAL-500", 4}}));
  EXPECT_EQ(ItemsOf(parser_.Parse("atta 10kg")),
            (std::map<std::string, int64_t>{{"ATTA-PILL-10", 1}}));
  EXPECT_EQ(ItemsOf(parser_.Parse("36 eggs")), (std::map<std::string, int64_t>{{"EGGS-12", 3}}));
  EXPECT_EQ(ItemsOf(parser_.Parse("doodh 1 litre")),
            (std::map<std::string, int64_t>{{"MILK-AMUL-500", 2}}));
}

TEST_F(KiranaParserTest, NumberWordsAndScripts) {
  EXPECT_EQ(ItemsOf(parser_.Parse("teen maggi, paanch parle g")),
            (std::map<std::string, int64_t>{{"MAGGI-70", 3}, {"PARLE-G", 5}}));
  EXPECT_EQ(ItemsOf(parser_.Parse("दूध ३")), (std::map<std::string, int64_t>{{"MILK-AMUL-500", 3}}));
  EXPECT_EQ(ItemsOf(parser_.Parse("2 doodh bhej do")),
            (std::map<std::string, int64_t>{{"MILK-AMUL-500", 2}}))
      << "\"do\" after bhej is not a number";
  EXPECT_EQ(ItemsOf(parser_.Parse("5x lays")),
            (std::map<std::string, int64_t>{{"LAYS-CLASSIC", 5}}));
}

TEST_F(KiranaParserTest, ChatterAndQuestionsOrderNothing) {
  for (const char* text :
       {"hello bhaiya", "thank you", "ok", "kitne ka hai ghee", "is maggi available?"}) {
    ParsedOrder order = parser_.Parse(text);
    EXPECT_TRUE(order.items.empty()) << text;
    EXPECT_TRUE(order.unmatched.empty()) << text;
  }
  EXPECT_TRUE(parser_.Parse("price of ghee?").question);
}

TEST_F(KiranaParserTest, AbsurdQuantityIsNamedBackNotBilled) {
  ParsedOrder order = parser_.Parse("maggi 9876543210");
  EXPECT_TRUE(order.items.empty());
  ASSERT_EQ(order.unmatched.size(), 1u);
  EXPECT_NE(order.unmatched[0].find("too large"), std::string::npos);
}

TEST_F(KiranaParserTest, NeverThrowsOnJunk) {
  for (std::string junk :
       {std::string("\xff\xfe\x00\x01", 4), std::string(5000, '9'),
        std::string("x x x x 5 5 5 kg kg ??? ,,,, और और"), std::string("\n\n\n")}) {
    EXPECT_NO_THROW(parser_.Parse(junk));
  }
}

TEST(TextTest, FoldsCaseWidthAndDevanagariDigits) {
  EXPECT_EQ(FoldText("MAGGI ２"), "maggi 2");
  EXPECT_EQ(FoldText("चीनी २"), "चीनी 2");
  EXPECT_EQ(TransliterateDevanagari("दूध"), "doodh");
  EXPECT_EQ(TransliterateDevanagari("चीनी"), "cheeni");
  EXPECT_EQ(Tokenize("2kg atta,x5 1.5l"),
            (std::vector<std::string>{"2", "kg", "atta", ",", "x", "5", "1.5", "l"}));
  EXPECT_EQ(EditDistance("exel", "excel", 1), 1);
  EXPECT_EQ(EditDistance("maggi", "magig", 1), 1);
  EXPECT_EQ(EditDistance("sugar", "salt", 1), 2);
}

}  // namespace
}  // namespace chatshop::bot
