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
  EXPECT_EQ(atta->aliases,
            (std::vector<std::string>{"atta", "wheat flour", "aata", "gehu ka atta"}));
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

TEST(CatalogCsvTest, NegativeAndAbsurdPricesAreRefusedWithTheirLineNumbers) {
  const std::string csv =
      "sku,name,price,stock,unit,category,aliases\n"
      "A1,Good,999999.99,5,pack,x,\n"
      "A2,Negative,-5.00,5,pack,x,\n"
      "A3,At the cap,1000000,5,pack,x,\n"
      "A4,Paise typed as rupees,1000000.01,5,pack,x,\n"
      "A5,Free sample,0,5,pack,x,\n"
      "A6,Stray digits,28900000000,5,pack,x,\n";
  CatalogImport imported = ParseCatalogCsv(csv);  // the default cap: ₹10,00,000
  std::vector<int> lines;
  for (const auto& e : imported.errors) lines.push_back(e.line);
  EXPECT_EQ(lines, (std::vector<int>{3, 5, 7}));
  ASSERT_EQ(imported.errors.size(), 3u);
  EXPECT_EQ(imported.errors[0].message, "price -5.00 is negative");
  EXPECT_EQ(imported.errors[1].message,
            "price 1000000.01 is more than the highest allowed, ₹10,00,000.00 "
            "([orders] max_price_rupees)");
  EXPECT_NE(imported.errors[2].message.find("more than the highest allowed"), std::string::npos);
  EXPECT_EQ(imported.catalog.Find("A3")->price.minor, 100000000) << "the cap itself is allowed";
  EXPECT_EQ(imported.catalog.Find("A5")->price.minor, 0);

  // A shop's own cap, from the config.
  CatalogLimits low;
  low.max_price = Money{50000};  // ₹500
  CatalogImport capped = ParseCatalogCsv(
      "sku,name,price,stock,unit,category,aliases\nA1,Ok,500.00,1,pack,x,\nA2,Dear,500.01,1,pack,x,"
      "\n",
      low);
  ASSERT_EQ(capped.errors.size(), 1u);
  EXPECT_EQ(capped.errors[0].line, 3);
  EXPECT_NE(capped.errors[0].message.find("₹500.00"), std::string::npos)
      << capped.errors[0].message;
}

TEST(CatalogCsvTest, ReadingAFileAppliesTheLimits) {
  const std::string path = ::testing::TempDir() + "/catalog_limits_test.csv";
  {
    std::ofstream out(path);
    out << "sku,name,price,stock,unit,category,aliases\nA1,Dear,100.00,1,pack,x,\n";
  }
  CatalogLimits low;
  low.max_price = Money{9999};
  EXPECT_EQ(ReadCatalogCsvFile(path, low).errors.size(), 1u);
  EXPECT_TRUE(ReadCatalogCsvFile(path).errors.empty());
}

TEST(CatalogCsvTest, WrongHeaderOrEmptyFileIsAnError) {
  EXPECT_EQ(ParseCatalogCsv("sku,name,price\nA,B,1.00\n").errors.at(0).line, 1);
  EXPECT_FALSE(ParseCatalogCsv("").errors.empty());
  EXPECT_TRUE(ParseCatalogCsv("\xEF\xBB\xBFsku,name,price,stock,unit,category,aliases\r\n"
                              "A,B,1.00,1,pack,c,\r\n")
                  .errors.empty())
      << "a spreadsheet's BOM and CRLF line ends are fine";
}

// A SKU travels inside button ids (bot/reply_ids), which take neither separators nor control
// characters back out: such a line is refused at import, and a control character is not echoed.
TEST(CatalogCsvTest, SkusThatCannotTravelInAButtonIdAreRefused) {
  const std::string header = "sku,name,price,stock,unit,category,aliases\n";
  auto colon = ParseCatalogCsv(header + "A:B,Atta,1.00,1,pack,c,\n");
  ASSERT_EQ(colon.errors.size(), 1u);
  EXPECT_EQ(colon.errors[0].message, "sku \"A:B\" contains a space or ':'");
  auto control = ParseCatalogCsv(header +
                                 "A\x01"
                                 "B,Atta,1.00,1,pack,c,\n" +
                                 "D\x7f,Dal,1.00,1,pack,c,\n");
  ASSERT_EQ(control.errors.size(), 2u);
  EXPECT_EQ(control.errors[0].message, "sku contains a control character");
  EXPECT_EQ(control.errors[1].line, 3);
  EXPECT_TRUE(control.catalog.products.empty());
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
