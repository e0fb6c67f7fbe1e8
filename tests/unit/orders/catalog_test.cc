#include "orders/catalog.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace chatshop::orders {
namespace {

TEST(CatalogCsvTest, ImportsTheSampleCatalog) {
  std::ifstream in(std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/kirana_catalog.csv");
  std::ostringstream text;
  text << in.rdbuf();
  CatalogImport imported = ParseCatalogCsv(text.str());
  ASSERT_TRUE(imported.errors.empty()) << imported.errors[0].message;
  ASSERT_EQ(imported.catalog.products.size(), 40u);
  const Product* atta = imported.catalog.Find("ATTA-AASH-5");
  ASSERT_NE(atta, nullptr);
  EXPECT_EQ(atta->name, "Aashirvaad Whole Wheat Atta 5kg");
  EXPECT_EQ(atta->price.minor, 28900);
  EXPECT_EQ(atta->stock, 40);
  EXPECT_EQ(atta->unit, "pack");
  EXPECT_EQ(atta->category, "staples");
  EXPECT_EQ(atta->aliases, (std::vector<std::string>{"atta", "wheat flour", "aata", "gehu ka atta"}));
  EXPECT_TRUE(imported.catalog.Find("ATTA-PILL-10")->aliases.empty());
}

TEST(CatalogCsvTest, EveryBadLineIsReportedWithItsNumber) {
  const std::string csv =
      "sku,name,price,stock,unit,category,aliases\n"
      "A1,Good,10.00,5,pack,x,\n"
      "A2,Bad price,10.5.0,5,pack,x,\n"
      "A3,Negative stock,1.00,-2,pack,x,\n"
      "A1,Duplicate,1.00,1,pack,x,\n"
      "A5,Too few,1.00\n"
      ",No sku,1.00,1,pack,x,\n"
      "A7,\"Quoted, with comma\",1.5,1,pack,x,\"a|b\"\n"
      "A8,\"Unterminated,1.00,1,pack,x,\n";
  CatalogImport imported = ParseCatalogCsv(csv);
  std::vector<int> lines;
  for (const auto& e : imported.errors) lines.push_back(e.line);
  EXPECT_EQ(lines, (std::vector<int>{3, 4, 5, 6, 7, 9}));
  EXPECT_EQ(imported.errors[0].message, "price \"10.5.0\" is not an amount in rupees like 289.00");
  EXPECT_EQ(imported.errors[2].message, "sku A1 appears twice");
  EXPECT_EQ(imported.errors[3].message, "expected 7 fields, found 3");
  // Good lines are parsed (a caller imports nothing while errors is non-empty).
  const Product* quoted = imported.catalog.Find("A7");
  ASSERT_NE(quoted, nullptr);
  EXPECT_EQ(quoted->name, "Quoted, with comma");
  EXPECT_EQ(quoted->price.minor, 150);
  EXPECT_EQ(quoted->aliases, (std::vector<std::string>{"a", "b"}));
}

TEST(CatalogCsvTest, WrongHeaderOrEmptyFileIsAnError) {
  EXPECT_EQ(ParseCatalogCsv("sku,name,price\nA,B,1.00\n").errors.at(0).line, 1);
  EXPECT_FALSE(ParseCatalogCsv("").errors.empty());
  EXPECT_TRUE(ParseCatalogCsv("\xEF\xBB\xBFsku,name,price,stock,unit,category,aliases\r\n"
                              "A,B,1.00,1,pack,c,\r\n")
                  .errors.empty())
      << "a spreadsheet's BOM and CRLF line ends are fine";
}

TEST(CatalogCsvTest, RupeesBecomePaise) {
  Money m;
  ASSERT_TRUE(ParseRupees("289.00", m));
  EXPECT_EQ(m.minor, 28900);
  ASSERT_TRUE(ParseRupees("89.5", m));
  EXPECT_EQ(m.minor, 8950);
  ASSERT_TRUE(ParseRupees("7", m));
  EXPECT_EQ(m.minor, 700);
  EXPECT_FALSE(ParseRupees("1.234", m));
  EXPECT_FALSE(ParseRupees("-1.00", m));
  EXPECT_FALSE(ParseRupees("₹10", m));
  EXPECT_FALSE(ParseRupees("", m));
  EXPECT_FALSE(ParseRupees("1.", m));
}

}  // namespace
}  // namespace chatshop::orders
