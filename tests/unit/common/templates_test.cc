#include "common/templates.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace chatshop::common {
namespace {

TEST(TemplatesTest, RendersSectionsListsAndNoHtmlEscaping) {
  const std::string source =
      "{{#lines}}\n{{qty}} × {{name}}\n{{/lines}}\n{{^free}}Fee {{fee}}{{/free}} & <done>";
  nlohmann::json data = {{"lines", {{{"qty", 2}, {"name", "Tom & Jerry's \"atta\""}}}},
                         {"free", false},
                         {"fee", "₹30.00"}};
  EXPECT_EQ(RenderMustache(source, data), "2 × Tom & Jerry's \"atta\"\nFee ₹30.00 & <done>");
  EXPECT_EQ(RenderMustache("{{#broken}}", data), "");
  EXPECT_NE(TemplateProblem("{{#broken}}"), "");
  EXPECT_EQ(TemplateProblem("fine {{x}}"), "");
}

TEST(TemplatesTest, OverrideThenLocaleThenEnglish) {
  auto set = TemplateSet::FromSources(
      {{"en", {{"hello", "Hello {{who}}"}, {"bye", "Bye"}}}, {"hi", {{"hello", "नमस्ते {{who}}"}}}});
  const nlohmann::json data = {{"who", "Priya"}};
  EXPECT_EQ(set.Render("hi", "hello", data, nullptr), "नमस्ते Priya");
  EXPECT_EQ(set.Render("hi", "bye", data, nullptr), "Bye");
  EXPECT_EQ(set.Render("ta", "hello", data, nullptr), "Hello Priya");
  TemplateOverrides own = {{"hi/hello", "राम राम {{who}}"}};
  EXPECT_EQ(set.Render("hi", "hello", data, &own), "राम राम Priya");
  EXPECT_EQ(set.Render("en", "hello", data, &own), "Hello Priya");
  EXPECT_EQ(set.Render("en", "nothing", data, nullptr), "");
}

TEST(TemplatesTest, ShopWordingMayOnlyUseTheShippedNamesAndMustSaySomething) {
  const std::string shipped =
      "Namaste{{#customer}} {{customer}}{{/customer}}! Welcome to {{shop}}.";
  EXPECT_EQ(TemplateVariables(shipped), (std::set<std::string>{"customer", "shop"}));
  EXPECT_EQ(OverrideProblem(shipped, "Ram Ram {{customer}}, {{shop}} here"), "");
  EXPECT_EQ(OverrideProblem(shipped, "  \n"), "it is blank");
  EXPECT_NE(OverrideProblem(shipped, "{{#customer}}"), "");
  EXPECT_EQ(OverrideProblem(shipped, "Hi {{cutsomer}}"),
            "unknown name(s) cutsomer; this template has: shop, customer");

  auto set = TemplateSet::FromSources({{"en", {{"b", "Checkout"}}}});
  TemplateOverrides blank = {{"en/b", "{{#nothing}}x{{/nothing}}"}};
  EXPECT_EQ(set.Render("en", "b", nlohmann::json::object(), &blank), "Checkout")
      << "an override that renders nothing falls back to the shipped wording";
}

TEST(TemplatesTest, LoadReportsEveryMissingOrBrokenTemplate) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("templates-test-" + std::to_string(::getpid()));
  fs::create_directories(dir / "en");
  fs::create_directories(dir / "hi");
  std::ofstream(dir / "en" / "a.mustache") << "A {{x}}\n";
  std::ofstream(dir / "en" / "b.mustache") << "B\n";
  std::ofstream(dir / "hi" / "a.mustache") << "{{#x}}\n";
  auto loaded = TemplateSet::Load(dir, {"a", "c"});
  ASSERT_FALSE(loaded);
  const std::string& m = loaded.error().message;
  EXPECT_NE(m.find("hi/a.mustache: "), std::string::npos) << m;
  EXPECT_NE(m.find("hi/b.mustache: missing"), std::string::npos) << m;
  EXPECT_NE(m.find("en/c.mustache: missing"), std::string::npos) << m;

  std::ofstream(dir / "hi" / "a.mustache") << "ए {{x}}\n";
  std::ofstream(dir / "hi" / "b.mustache") << "बी\n";
  loaded = TemplateSet::Load(dir, {"a", "b"});
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->Render("hi", "a", {{"x", 1}}, nullptr), "ए 1") << "final newline dropped";
  EXPECT_FALSE(TemplateSet::Load(dir / "nowhere", {}));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace chatshop::common
