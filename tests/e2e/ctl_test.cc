// chatshopctl against the real PostgreSQL: what an admin types, including the refusals.
#include <gtest/gtest.h>

#include <fstream>

#include "support/deployment.h"

namespace chatshop {
namespace {

class CtlTest : public ::testing::Test {
 protected:
  testing::RunResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {testing::Bin("chatshopctl"), "--config", deployment_.config_path()});
    return testing::RunProgram(args);
  }
  std::string Q(const std::string& sql) const { return deployment_.schema().QueryValue(sql); }
  testing::Deployment deployment_;
};

TEST_F(CtlTest, ACatalogWithThreeBadLinesImportsNothingAndNamesAllThree) {
  const std::string good = std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/kirana_catalog.csv";
  auto imported = Ctl({"catalog", "import", "--shop", testing::kShopNumberId, good});
  ASSERT_EQ(imported.status, 0) << imported.output;
  const std::string before = Q("SELECT count(*) || ' ' || sum(stock) FROM products");

  const std::string bad = ::testing::TempDir() + "/bad_catalog.csv";
  std::ofstream(bad) << "sku,name,price,stock,unit,category,aliases\n"
                     << "RICE-5,Basmati Rice 5kg,499.00,10,pack,staples,chawal\n"
                     << "SUGAR-1,Sugar 1kg,forty,20,pack,staples,cheeni\n"          // line 3: price
                     << "DAL-1,Toor Dal 1kg,139.00,-4,pack,staples,arhar\n"         // line 4: stock
                     << "TEA-250,Tata Tea 250g,120.00,15,pack,beverages,chai\n"
                     << ",Nameless,10.00,1,pack,snacks,\n";                          // line 6: sku
  auto refused = Ctl({"catalog", "import", "--shop", testing::kShopNumberId, bad});
  EXPECT_NE(refused.status, 0);
  for (const char* line : {":3:", ":4:", ":6:"}) {
    EXPECT_NE(refused.output.find(bad + line), std::string::npos) << line << "\n" << refused.output;
  }
  EXPECT_NE(refused.output.find("3 bad line(s); nothing was read"), std::string::npos) << refused.output;
  EXPECT_EQ(Q("SELECT count(*) || ' ' || sum(stock) FROM products"), before) << "nothing imported";
  EXPECT_EQ(Q("SELECT count(*) FROM products WHERE sku = 'RICE-5'"), "0") << "not even the good lines";
}

}  // namespace
}  // namespace chatshop
