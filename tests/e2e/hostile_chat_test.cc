// A hostile-input campaign through the real gateway, worker and sandbox: nonsense and malicious
// chat texts, forged button taps, and admin commands with bad input. Each gets its safe outcome
// (an answer, never silence, a stack trace or a crash; a refusal with a clear message), and at
// the end a valid order still produces its bill: nothing was lost or wedged.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/deployment.h"
#include "support/fixtures.h"
#include "webhook/signature.h"

namespace chatshop {
namespace {

using nlohmann::json;
using testing::BodyText;
using testing::HttpOk;
using testing::WaitFor;

testing::RunResult Ctl(const testing::Deployment& deployment, std::vector<std::string> args,
                       const std::string& input = "") {
  args.insert(args.begin(), {testing::Bin("chatshopctl"), "--config", deployment.config_path()});
  return testing::RunProgram(args, input);
}

// A signed button tap with any id, as a forger with the app secret's help never could but a
// replayed or crafted webhook from Meta might carry.
int PostTap(const testing::Deployment& deployment, const std::string& from,
            const std::string& wamid, const std::string& button_id) {
  json body = json::parse(testing::ReadWebhookFixture("03_button_reply.json"));
  auto& value = body["entry"][0]["changes"][0]["value"];
  value["contacts"][0]["wa_id"] = from;
  auto& message = value["messages"][0];
  message["from"] = from;
  message["id"] = wamid;
  message.erase("context");
  message["interactive"]["button_reply"]["id"] = button_id;
  const std::string text = body.dump();
  httplib::Client client("127.0.0.1", deployment.gateway_port());
  auto res = client.Post(
      "/webhook", {{"X-Hub-Signature-256", webhook::SignatureHeader(testing::kAppSecret, text)}},
      text, "application/json");
  return res ? res->status : 0;
}

// Every answer the bot gives is short, human text: no internals leak into a chat.
void ExpectHelpfulAnswer(const json& replies, const std::string& what) {
  ASSERT_GE(replies.size(), 1u) << what << ": no answer";
  for (const auto& reply : replies) {
    const std::string text = BodyText(reply["payload"]) + reply["payload"].dump();
    for (const char* leak : {"exception", "what()", "std::", "pqxx", "terminate"}) {
      EXPECT_EQ(text.find(leak), std::string::npos) << what << " leaked \"" << leak << "\"";
    }
  }
}

TEST(HostileChatTest, NonsenseTextsForgedTapsAndBadAdminInputAllGetSafeAnswers) {
  testing::Deployment deployment;
  ASSERT_EQ(Ctl(deployment, {"catalog", "import", "--shop", testing::kShopNumberId,
                             std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/kirana_catalog.csv"})
                .status,
            0);
  deployment.Start("sandbox");
  deployment.Start("gateway");
  deployment.Start("worker");
  ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment.sandbox_port(), "/healthz"); }));
  ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment.admin_port(), "/readyz"); }));

  // Chat texts: each from a customer of its own, so no per-customer limit hides an answer.
  const std::vector<std::string> texts = {
      "   ",
      "🙏🙏🙏🙏",
      "<script>alert(1)</script>",
      "{{#shop}}{{/shop}} {{{customer}}} {{> welcome}}",
      "'; DROP TABLE orders; --",
      "999999999999999999999999 atta",
      "-5 atta",
      "1e309 sugar",
      "0 maggi",
      "atta x 99999",
      "%s%s%s%n%x",
      "../../../../etc/passwd",
      "\r\n\r\nHTTP/1.1 200 OK\r\n",
      std::string(3000, 'a'),
      "क्ष्ज्ञ त्र श्र",
      "مرحبا اريد خبز",
      "a\u200d\u200d\u200db\u200ec",
      "e\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81",
      "2 atta, 2 atta, 2 atta, 2 atta, 2 atta, 2 atta, 2 atta, 2 atta",
      "cancel cancel cancel",
      "status?????",
      "\t\t\t",
  };
  for (size_t i = 0; i < texts.size(); ++i) {
    testing::SandboxCustomer customer(deployment.sandbox_port(),
                                      "91990000" + std::to_string(1000 + i));
    customer.Says(texts[i]);
    ExpectHelpfulAnswer(customer.WaitForReplies(1), "text #" + std::to_string(i));
  }

  // Taps on ids the shop never offered: another order's approval, unknown products, absurd
  // quantities, malformed and oversized ids.
  const std::vector<std::string> taps = {
      "approve:1001:deadbeef",
      "reject:1001:",
      "add:NO-SUCH-SKU:1",
      "add:MAGGI-70:999999999",
      "add:MAGGI-70:-3",
      "cat:99:nothing",
      ":::",
      "bill:ORD-1:confirm",
      std::string(250, 'x'),
      "checkout",
      "remove:MAGGI-70",
      "add:MAGGI-70:1:extra",
  };
  for (size_t i = 0; i < taps.size(); ++i) {
    const std::string from = "91991000" + std::to_string(1000 + i);
    ASSERT_EQ(PostTap(deployment, from, "wamid.forged-tap-" + std::to_string(i), taps[i]), 200);
    testing::SandboxCustomer customer(deployment.sandbox_port(), from);
    ExpectHelpfulAnswer(customer.WaitForReplies(1), "tap " + taps[i].substr(0, 40));
  }

  // Admin commands with bad input: refused with a message, exit 1, nothing changed.
  const auto dir = std::filesystem::temp_directory_path() / testing::UniqueName("hostile_ctl");
  std::filesystem::create_directories(dir);
  auto csv = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  };
  const std::string header = "sku,name,price,stock,unit,category,aliases\n";
  struct CtlCase {
    std::string name;
    std::vector<std::string> args;
  };
  const std::vector<CtlCase> refused = {
      {"csv without columns",
       {"catalog", "import", "--shop", testing::kShopNumberId,
        csv("a.csv", header + "ONLY-SKU\n")}},
      {"csv with a text price",
       {"catalog", "import", "--shop", testing::kShopNumberId,
        csv("b.csv", header + "X-1,Thing,abc,1,pack,staples,\n")}},
      {"csv with broken UTF-8",
       {"catalog", "import", "--shop", testing::kShopNumberId,
        csv("c.csv", header + "X-1,\xff\xfe,10.00,1,pack,staples,\n")}},
      {"csv with a negative stock",
       {"catalog", "import", "--shop", testing::kShopNumberId,
        csv("d.csv", header + "X-1,Thing,10.00,-4,pack,staples,\n")}},
      {"unknown shop", {"catalog", "list", "--shop", "000000"}},
      {"stock of an unknown SKU", {"stock", "set", "--shop", testing::kShopNumberId, "NOPE", "5"}},
      {"order that does not exist", {"orders", "show", "--shop", testing::kShopNumberId, "999999"}},
      {"owner with a bad number",
       {"owner", "add", "--shop", testing::kShopNumberId, "--phone", "+91-abc"}},
      {"token on the command line",
       {"shop", "add", "--phone-number-id", "123", "--name", "X", "--token", "EAAG-secret-token"}},
      {"unknown command", {"frobnicate"}},
  };
  for (const auto& c : refused) {
    auto run = Ctl(deployment, c.args);
    EXPECT_NE(run.status, 0) << c.name << ": " << run.output;
    EXPECT_FALSE(run.output.empty()) << c.name << " said nothing";
    EXPECT_EQ(run.output.find("EAAG-secret-token"), std::string::npos) << c.name << " echoed it";
  }
  // A config with a wrong key names the key, and is refused.
  const std::string bad_config = (dir / "bad.toml").string();
  {
    std::ifstream in(deployment.config_path());
    std::ofstream out(bad_config);
    out << in.rdbuf() << "\n[limits_typo]\nwhatever = 1\n";
  }
  auto wrong_key =
      testing::RunProgram({testing::Bin("chatshopctl"), "--config", bad_config, "shop", "list"});
  EXPECT_NE(wrong_key.status, 0);
  EXPECT_NE(wrong_key.output.find("limits_typo"), std::string::npos) << wrong_key.output;
  std::filesystem::remove_all(dir);

  // Nothing lost: the catalog is whole and a real customer still gets a bill.
  auto listed = Ctl(deployment, {"catalog", "list", "--shop", testing::kShopNumberId});
  EXPECT_EQ(listed.status, 0);
  EXPECT_NE(listed.output.find("MAGGI-70"), std::string::npos);
  testing::SandboxCustomer real(deployment.sandbox_port(), "919988776655");
  real.Says("2 atta, maggi x2");
  EXPECT_TRUE(WaitFor([&] { return real.Replies().dump().find("Maggi") != std::string::npos; }))
      << real.Replies().dump(1);
}

}  // namespace
}  // namespace chatshop
