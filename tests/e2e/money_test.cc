// Payment proofs and owner buttons through the real programs and the sandbox: a PDF reaches
// the owner as a document with Approve · Reject, a text file sent as a picture is refused with
// an answer, the sandbox refuses a PDF used as an image (as Meta does), and a button from an
// older notice cannot approve.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "support/deployment.h"

namespace chatshop {
namespace {

using nlohmann::json;
using testing::BodyText;
using testing::ButtonIds;
using testing::Has;
using testing::HttpOk;
using testing::WaitFor;

constexpr const char* kOwner = "919800000001";
constexpr const char* kPdf = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% UPI receipt Rs 58\n";

class MoneyE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Ctl({"catalog", "import", "--shop", testing::kShopNumberId,
         std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/kirana_catalog.csv"});
    Ctl({"shop", "set", "--shop", testing::kShopNumberId, "--upi-vpa", "sharmakirana@okaxis"});
    Ctl({"owner", "add", "--shop", testing::kShopNumberId, "--phone", kOwner, "--name",
         "Mr Sharma"});
    deployment_.Start("sandbox");
    deployment_.Start("gateway");
    deployment_.Start("worker");
    ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment_.sandbox_port(), "/healthz"); }));
    ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment_.admin_port(), "/readyz"); }));
  }
  void Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {testing::Bin("chatshopctl"), "--config", deployment_.config_path()});
    auto run = testing::RunProgram(args);
    ASSERT_EQ(run.status, 0) << run.output;
  }
  // Cart and checkout; returns the order's number.
  std::string Checkout(testing::SandboxCustomer& customer) {
    customer.Says("2 maggi");
    customer.WaitForReplies(1);
    customer.Taps("v2:cart:checkout");
    customer.WaitForReplies(2);
    return Q("SELECT max(number) FROM orders WHERE customer = '" + customer.wa_id() + "'");
  }
  std::string Q(const std::string& sql) { return deployment_.schema().QueryValue(sql); }
  std::string Button(const std::string& verb, const std::string& number) {
    return "v2:own:" + verb + ":" + Q("SELECT id FROM orders WHERE number = " + number) + ":" +
           Q("SELECT nonce FROM orders WHERE number = " + number);
  }

  testing::Deployment deployment_;
};

TEST_F(MoneyE2eTest, APdfProofReachesTheOwnerAsADocumentWithApproveAndReject) {
  testing::SandboxCustomer customer(deployment_.sandbox_port(), "919876543210");
  testing::SandboxCustomer owner(deployment_.sandbox_port(), kOwner, "Mr Sharma");
  const std::string number = Checkout(customer);
  customer.SendsMedia(kPdf, "application/pdf");  // a document message
  json said = customer.WaitForReplies(3);
  EXPECT_TRUE(Has(BodyText(said[2]["payload"]), "has gone to the shop for approval"));

  const json heard = owner.WaitForReplies(1);
  ASSERT_EQ(heard.size(), 1u);
  const json& notice = heard[0]["payload"];
  ASSERT_EQ(notice["type"], "interactive");
  EXPECT_EQ(notice["interactive"]["header"]["type"], "document") << notice.dump();
  const std::string uploaded = notice["interactive"]["header"]["document"]["id"];
  EXPECT_EQ(uploaded.rfind("SBXUPLOAD", 0), 0u) << "uploaded again under the shop's number";
  EXPECT_EQ(notice["interactive"]["header"]["document"]["filename"],
            "payment-order-" + number + ".pdf");
  EXPECT_TRUE(Has(BodyText(notice), "Payment receipt (PDF) for *order #" + number + "*"))
      << BodyText(notice);
  EXPECT_EQ(ButtonIds(notice), Button("approve", number) + " " + Button("reject", number) + " ");
  EXPECT_EQ(Q("SELECT status FROM payment_proofs"), "stored");

  owner.Taps(Button("approve", number));
  owner.WaitForReplies(2);
  EXPECT_EQ(Q("SELECT status FROM orders"), "confirmed");
}

TEST_F(MoneyE2eTest, ATextFileSentAsAPictureIsRefusedWithAnAnswerAndNothingReachesTheOwner) {
  testing::SandboxCustomer customer(deployment_.sandbox_port(), "919876543210");
  testing::SandboxCustomer owner(deployment_.sandbox_port(), kOwner, "Mr Sharma");
  const std::string number = Checkout(customer);
  customer.SendsMedia("I paid, trust me. This is a text file.\n", "image/jpeg");
  const json said = customer.WaitForReplies(4);
  ASSERT_EQ(said.size(), 4u);
  EXPECT_EQ(BodyText(said[3]["payload"]),
            "The file you sent for order #" + number +
                " is not a picture or a PDF, so it cannot be the payment proof. Please send a "
                "screenshot of the payment (JPEG, PNG or WebP) or the PDF receipt.");
  EXPECT_TRUE(WaitFor([&] { return Q("SELECT status FROM orders") == "awaiting_payment"; }));
  EXPECT_EQ(Q("SELECT status FROM payment_proofs"), "refused");
  EXPECT_EQ(Q("SELECT count(*) FROM payment_proofs WHERE path IS NOT NULL"), "0") << "never kept";
  EXPECT_TRUE(owner.Replies().empty()) << "the owner is not bothered with it";

  // A real screenshot next: the order goes to review and the owner gets the picture.
  customer.SendsMedia("\x89PNG\r\n\x1a\nUPI payment of Rs 58", "image/png");
  const json heard = owner.WaitForReplies(1);
  EXPECT_EQ(heard[0]["payload"]["interactive"]["header"]["type"], "image");
  EXPECT_EQ(Q("SELECT status FROM orders"), "payment_review");
}

TEST_F(MoneyE2eTest, ApproveOnANoticeFromBeforeARejectIsRefusedWithAClearReply) {
  testing::SandboxCustomer customer(deployment_.sandbox_port(), "919876543210");
  testing::SandboxCustomer owner(deployment_.sandbox_port(), kOwner, "Mr Sharma");
  const std::string number = Checkout(customer);
  customer.SendsMedia("\xff\xd8\xff\xe0 JPEG of a payment", "image/jpeg");
  owner.WaitForReplies(1);
  const std::string old_approve = Button("approve", number);
  const std::string old_reject = Button("reject", number);
  owner.Taps(old_reject);
  owner.WaitForReplies(2);
  owner.Taps(old_reject + ":amount");
  json heard = owner.WaitForReplies(3);
  ASSERT_EQ(Q("SELECT status FROM orders"), "awaiting_payment");

  owner.Taps(old_approve);  // the first notice's Approve, still on the owner's phone
  heard = owner.WaitForReplies(4);
  EXPECT_TRUE(Has(BodyText(heard[3]["payload"]), "This button is from an older notice of *order #" +
                                                     number +
                                                     "*, which is now waiting for payment"))
      << BodyText(heard[3]["payload"]);
  EXPECT_EQ(Q("SELECT status FROM orders"), "awaiting_payment") << "not confirmed";
  EXPECT_EQ(Q("SELECT count(*) FROM order_events WHERE to_status = 'confirmed'"), "0");
}

// The fake Graph API refuses what Meta refuses: media uploaded as a PDF cannot be a picture.
TEST_F(MoneyE2eTest, TheSandboxRefusesAPdfUsedAsAnImage) {
  httplib::Client graph("127.0.0.1", deployment_.sandbox_port());
  const httplib::Headers auth = {{"Authorization", "Bearer e2e-graph-token"}};
  auto upload = [&](const std::string& bytes, const std::string& mime) {
    httplib::MultipartFormDataItems items = {{"messaging_product", "whatsapp", "", ""},
                                             {"type", mime, "", ""},
                                             {"file", bytes, "f", mime}};
    auto res = graph.Post((std::string("/v24.0/") + testing::kShopNumberId + "/media").c_str(),
                          auth, items);
    EXPECT_TRUE(res && res->status == 200);
    return res ? json::parse(res->body).value("id", "") : std::string();
  };
  const std::string pdf = upload(kPdf, "application/pdf");
  const std::string png = upload("\x89PNG\r\n\x1a\nx", "image/png");
  auto send = [&](const json& interactive_header) {
    json button = {{"type", "reply"}, {"reply", {{"id", "a"}, {"title", "A"}}}};
    json interactive = {{"type", "button"},
                        {"header", interactive_header},
                        {"body", {{"text", "Payment"}}},
                        {"action", {{"buttons", json::array({button})}}}};
    json body = {{"messaging_product", "whatsapp"},
                 {"to", "919876543210"},
                 {"type", "interactive"},
                 {"interactive", interactive}};
    auto res = graph.Post((std::string("/v24.0/") + testing::kShopNumberId + "/messages").c_str(),
                          auth, body.dump(), "application/json");
    return res ? std::make_pair(res->status, res->body) : std::make_pair(0, std::string());
  };
  auto refused = send({{"type", "image"}, {"image", {{"id", pdf}}}});
  EXPECT_EQ(refused.first, 400) << refused.second;
  EXPECT_EQ(json::parse(refused.second)["error"]["code"], 131053) << refused.second;
  EXPECT_TRUE(Has(refused.second, "application/pdf, not an image")) << refused.second;
  EXPECT_EQ(send({{"type", "image"}, {"image", {{"id", "NO-SUCH-MEDIA"}}}}).first, 400);
  EXPECT_EQ(send({{"type", "document"}, {"document", {{"id", pdf}, {"filename", "p.pdf"}}}}).first,
            200);
  EXPECT_EQ(send({{"type", "image"}, {"image", {{"id", png}}}}).first, 200);
  json image_message = {{"messaging_product", "whatsapp"},
                        {"to", "919876543210"},
                        {"type", "image"},
                        {"image", {{"id", pdf}}}};
  auto plain = graph.Post((std::string("/v24.0/") + testing::kShopNumberId + "/messages").c_str(),
                          auth, image_message.dump(), "application/json");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 400) << "an image message with a PDF, too";
}

}  // namespace
}  // namespace chatshop
